package io.tokenservice.benchmarks.load;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Drives one client for warm-up + measurement and collects the calls sent during the measurement: their
 * latency (from the send time in a closed loop, from the scheduled send time in an open loop) if they
 * succeeded, their status code if not. Calls still running at the end are waited for (up to their deadline
 * and {@link #FINISH_GRACE} more); any that never finish are counted as {@code UNFINISHED}. An open loop
 * sends nothing later than one deadline after the end of the measurement: calls it was too far behind to
 * send by then (at most {@code --max-outstanding} are in flight) are counted as {@code NOT_SENT}.
 *
 * <p>An open loop warms up mostly as a closed loop ({@code --concurrency} calls outstanding), then rehearses its
 * schedule briefly, waits for those calls to finish, and only then starts measuring: a whole warm-up at the full
 * rate would leave a backlog (of the cold server, and of this generator's own cold JVM) that the measurement would
 * inherit and, above the server's capacity, never work off; every measured call would be charged for it.
 */
final class LoadRun {
    /** Synchronous completions (e.g. a refused connection) re-enter the closed loop; beyond this depth they are queued. */
    private static final int MAX_REENTRY = 16;
    static final Duration FINISH_GRACE = Duration.ofSeconds(5);
    static final Duration MAX_REHEARSAL = Duration.ofSeconds(2);
    private static final long RETRY_WHEN_FULL_NANOS = TimeUnit.MICROSECONDS.toNanos(100);

    private final RpcClient client;
    private final LoadOptions options;
    private final Duration finishGrace;
    private final LongSupplier processCpuNanos;
    /** CPU and wall time of this process when the measurement started and when it stopped sending. */
    private long cpuAtStart;
    private long cpuAtEnd;
    private long wallAtStart;
    private long wallAtEnd;
    private final Recorder latencies = new Recorder(3);
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    /** Calls in flight of the current phase (a warm-up's late calls never count as the measurement's). */
    private volatile AtomicInteger outstanding = new AtomicInteger();
    private final ThreadLocal<int[]> depth = ThreadLocal.withInitial(() -> new int[1]);
    private ExecutorService trampoline;
    private volatile long measureStart;
    private volatile long end;
    /** When the closed loop stops sending: the end of the run, or of an open loop's warm-up. */
    private volatile long closedEnd;

    LoadRun(RpcClient client, LoadOptions options) {
        this(client, options, FINISH_GRACE, LoadRun::processCpuNanos);
    }

    LoadRun(RpcClient client, LoadOptions options, Duration finishGrace) {
        this(client, options, finishGrace, LoadRun::processCpuNanos);
    }

    LoadRun(RpcClient client, LoadOptions options, Duration finishGrace, LongSupplier processCpuNanos) {
        this.client = client;
        this.options = options;
        this.finishGrace = finishGrace;
        this.processCpuNanos = processCpuNanos;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    LoadResult run() throws InterruptedException {
        long start = System.nanoTime();
        measureStart = start + options.warmup().toNanos();
        end = measureStart + options.duration().toNanos();
        if (options.openLoop()) {
            if (measureStart > start) {
                warmUp();
            }
            openLoop(measureStart);
        } else {
            closedLoop();
        }
        long waitUntil = Math.max(System.nanoTime(), end) + options.deadline().toNanos() + finishGrace.toNanos();
        while (outstanding.get() > 0 && System.nanoTime() < waitUntil) {
            Thread.sleep(1);
        }
        int unfinished = outstanding.get();
        Map<String, Long> byStatus = new HashMap<>();
        errors.forEach((code, n) -> byStatus.put(code, n.sum()));
        if (unfinished > 0) {
            byStatus.merge("UNFINISHED", (long) unfinished, Long::sum);
        }
        if (trampoline != null) {
            trampoline.shutdownNow();
        }
        Histogram histogram = latencies.getIntervalHistogram();
        String description = "rpc=" + options.rpc().methodName + " transport=" + options.transport().option
                + " mode=" + options.mode();
        double seconds = options.duration().toNanos() / 1e9;
        return new LoadResult(description, seconds, histogram, byStatus,
                (double) (cpuAtEnd - cpuAtStart) / Math.max(1, wallAtEnd - wallAtStart));
    }

    private void record(long sentNanos, String outcome) {
        long now = System.nanoTime();
        if (sentNanos < measureStart || sentNanos >= end) {
            return;
        }
        if (RpcClient.OK.equals(outcome)) {
            latencies.recordValue(Math.max(0, now - sentNanos));
        } else {
            errors.computeIfAbsent(outcome, k -> new LongAdder()).increment();
        }
    }

    /**
     * The open loop's warm-up: a closed loop, then the schedule itself at the full rate for the last quarter of the
     * warm-up (at most {@link #MAX_REHEARSAL}), not counted. The closed loop never runs the open loop's own code
     * (its timer, its sending path), which the JIT would otherwise compile during the measurement: a stall at its
     * start that every call scheduled meanwhile is charged for. Each part ends by waiting (up to a deadline) for
     * its calls, so the measurement inherits no backlog and lasts the whole {@code --duration}.
     */
    private void warmUp() throws InterruptedException {
        long measured = end - measureStart;
        long rehearsal = Math.min(MAX_REHEARSAL.toNanos(), options.warmup().toNanos() / 4);
        end = measureStart - rehearsal;
        closedLoop();
        awaitOutstanding();
        long rehearsalStart = System.nanoTime();
        // Every call of the rehearsal is due before the measurement starts, so none is recorded.
        measureStart = rehearsalStart + rehearsal;
        end = measureStart;
        openLoop(rehearsalStart);
        awaitOutstanding();
        measureStart = System.nanoTime();
        end = measureStart + measured;
    }

    private void awaitOutstanding() throws InterruptedException {
        long waitUntil = System.nanoTime() + options.deadline().toNanos();
        while (outstanding.get() > 0 && System.nanoTime() < waitUntil) {
            Thread.sleep(1);
        }
        outstanding = new AtomicInteger();
    }

    private void closedLoop() throws InterruptedException {
        closedEnd = end;
        trampoline = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "load-closed-loop");
            t.setDaemon(true);
            return t;
        });
        for (int i = 0; i < options.concurrency(); i++) {
            sendClosed();
        }
        sleepUntil(measureStart);
        measuringCpuFromNow();
        sleepUntil(end);
        measuringCpuUntilNow();
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long remaining;
        while ((remaining = nanoTime - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(100)));
        }
    }

    /** One slot of the closed loop: send, and when the answer comes, send again until the end. */
    private void sendClosed() {
        long sent = System.nanoTime();
        if (sent >= closedEnd) {
            return;
        }
        AtomicInteger phase = outstanding;
        phase.incrementAndGet();
        client.start(outcome -> {
            record(sent, outcome);
            phase.decrementAndGet();
            int[] d = depth.get();
            if (d[0] >= MAX_REENTRY) {
                trampoline.execute(this::sendClosed);
                return;
            }
            d[0]++;
            try {
                sendClosed();
            } finally {
                d[0]--;
            }
        });
    }

    private void openLoop(long start) throws InterruptedException {
        OpenLoopSchedule schedule = new OpenLoopSchedule(options.rate().getAsDouble());
        // A call sent later than this would have failed its deadline anyway: stop rather than run on.
        long cutoff = end + options.deadline().toNanos();
        measuringCpuFromNow();
        Optional<ScheduledExecutorService> connectionThread = client.connectionThread();
        ScheduledExecutorService sender = connectionThread.orElseGet(() -> Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "load-open-loop");
            t.setDaemon(true);
            return t;
        }));
        try {
            sendFrom(sender, start, schedule, cutoff);
        } finally {
            measuringCpuUntilNow();
            if (connectionThread.isEmpty()) {
                sender.shutdownNow();
            }
        }
    }

    /**
     * The schedule as timer tasks on one thread: the client's connection thread when it has one, else a thread of
     * this run. Each wake-up sends every call due by then and sleeps until the next one, never spinning: the loader
     * shares its core with the client's event loop, and a spinning sender (as this was, for every gap under 0.2 ms)
     * takes whole scheduler slices from the thread that writes and reads the calls. A call that cannot go out (too
     * many in flight) is retried a little later; every call's latency counts from when it was due.
     */
    private void sendFrom(ScheduledExecutorService thread, long start, OpenLoopSchedule schedule, long cutoff)
            throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger phase = outstanding;
        thread.execute(new Runnable() {
            private long next;

            @Override
            public void run() {
                try {
                    sendWhatIsDue();
                } catch (RuntimeException e) {
                    failure.set(e);
                    done.countDown();
                }
            }

            private void sendWhatIsDue() {
                long now = System.nanoTime();
                while (true) {
                    long intended = start + schedule.offsetNanos(next);
                    if (intended >= end) {
                        done.countDown();
                        return;
                    }
                    if (intended > now) {
                        thread.schedule(this, intended - now, TimeUnit.NANOSECONDS);
                        return;
                    }
                    if (now >= cutoff) {
                        countNotSent(schedule, start, intended);
                        done.countDown();
                        return;
                    }
                    if (inFlight.get() >= options.maxOutstanding()) {
                        thread.schedule(this, RETRY_WHEN_FULL_NANOS, TimeUnit.NANOSECONDS);
                        return;
                    }
                    inFlight.incrementAndGet();
                    phase.incrementAndGet();
                    client.start(outcome -> {
                        record(intended, outcome);
                        phase.decrementAndGet();
                        inFlight.decrementAndGet();
                    });
                    next++;
                }
            }
        });
        done.await();
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    /** What was due in the measurement and never went out is a failure, not a call that does not count. */
    private void countNotSent(OpenLoopSchedule schedule, long start, long firstUnsent) {
        long unsent = schedule.callsBetween(Math.max(firstUnsent, measureStart) - start, end - start);
        if (unsent > 0) {
            errors.computeIfAbsent("NOT_SENT", k -> new LongAdder()).add(unsent);
        }
    }

    private void measuringCpuFromNow() {
        wallAtStart = System.nanoTime();
        cpuAtStart = processCpuNanos.getAsLong();
    }

    /** Over the time it really took: an open loop that fell behind sends after the measurement's end. */
    private void measuringCpuUntilNow() {
        wallAtEnd = System.nanoTime();
        cpuAtEnd = processCpuNanos.getAsLong();
    }
}
