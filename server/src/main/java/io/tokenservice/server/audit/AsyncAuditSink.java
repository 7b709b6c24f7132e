package io.tokenservice.server.audit;

import io.tokenservice.server.access.AuditEvent;
import io.tokenservice.server.access.AuditSink;
import io.tokenservice.server.access.AuditUnavailableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Takes the audit log off the call path: {@link #record} only puts the event in a bounded queue, and one thread
 * ({@value #THREAD_NAME}) hands the events, in order, to the sink that formats and writes them.
 *
 * <p>The guarantee: an event {@link #record} returned for is in the queue, and stays there until the sink has
 * taken it. When the queue is full (the sink is slow, or failing) {@link #record} throws
 * {@link AuditUnavailableException}, so the call refuses rather than hands out an unaudited token. A sink that
 * throws is retried with the same event, with a growing pause (up to {@link #MAX_RETRY_PAUSE}), so a broken
 * stream loses nothing while it is broken: the queue fills and calls are refused until it writes again. Each
 * episode (queue full, sink failing) is logged once when it starts and once when it ends.
 *
 * <p>The producer side takes the queue's lock and stores a reference: no allocation, no thread wake-up (the
 * drain thread parks for a short while when it finds the queue empty, rather than being signalled per event).
 */
public final class AsyncAuditSink implements AuditSink, AutoCloseable {
    public static final String THREAD_NAME = "tokenservice-audit";
    public static final int DEFAULT_CAPACITY = 8192;
    /** How long the drain thread sleeps when it finds the queue empty: the latency of an audit line when idle. */
    static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    static final Duration MAX_RETRY_PAUSE = Duration.ofSeconds(1);
    private static final Logger LOG = Logger.getLogger(AsyncAuditSink.class.getName());
    private static final int BATCH = 256;

    private final AuditSink sink;
    private final ArrayBlockingQueue<AuditEvent> queue;
    private final Thread drain;
    private final LongAdder rejected = new LongAdder();
    private final LongAdder sinkFailures = new LongAdder();
    private final LongAdder accepted = new LongAdder();
    private final AtomicLong written = new AtomicLong();
    private volatile boolean fullEpisode;
    private volatile boolean closing;
    private volatile long inHand;

    /**
     * @param sink formats and writes each event (e.g. {@link JsonAuditSink}); called from one thread only
     * @param capacity how many events may wait
     */
    public AsyncAuditSink(AuditSink sink, int capacity) {
        this.sink = Objects.requireNonNull(sink, "sink");
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.drain = new Thread(this::drainLoop, THREAD_NAME);
        drain.setDaemon(true);
        drain.start();
    }

    @Override
    public void record(AuditEvent event) {
        Objects.requireNonNull(event, "event");
        if (closing || !queue.offer(event)) {
            rejected.increment();
            if (!fullEpisode) {
                fullEpisode = true;
                LOG.warning("audit queue full (" + queue.size() + " records waiting): the audit stream is slow "
                        + "or failing; calls are refused with UNAVAILABLE until it catches up");
            }
            throw new AuditUnavailableException("the audit log cannot keep up; no token was issued, retry later");
        }
        accepted.increment();
    }

    /**
     * Waits until every record accepted before this call has been written (or {@code timeout} has passed), for
     * whoever reads the audit stream right after a call: a test, or a stop.
     *
     * @return whether they were all written in time
     */
    public boolean awaitWritten(Duration timeout) throws InterruptedException {
        long target = accepted.sum();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (written.get() < target) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            Thread.sleep(1);
        }
        return true;
    }

    /** Records waiting to be written (including one the sink is being retried with). */
    public int depth() {
        return queue.size() + (int) inHand;
    }

    public int capacity() {
        return queue.size() + queue.remainingCapacity();
    }

    /** Records {@link #record} could not accept (the queue was full or the sink closed). */
    public long rejected() {
        return rejected.sum();
    }

    /** Times the sink threw (each retry counts). */
    public long sinkFailures() {
        return sinkFailures.sum();
    }

    private void drainLoop() {
        List<AuditEvent> batch = new ArrayList<>(BATCH);
        while (true) {
            if (queue.drainTo(batch, BATCH) == 0) {
                if (closing) {
                    return;
                }
                LockSupport.parkNanos(this, IDLE_PARK_NANOS);
                continue;
            }
            for (AuditEvent event : batch) {
                if (!write(event)) {
                    return;
                }
            }
            batch.clear();
            if (fullEpisode && queue.remainingCapacity() > 0) {
                fullEpisode = false;
                LOG.info("audit queue accepting records again (" + rejected.sum() + " refused so far)");
            }
        }
    }

    /** Writes {@code event}, retrying while the sink fails; false only if closed while still failing. */
    private boolean write(AuditEvent event) {
        long pauseMillis = 10;
        boolean failing = false;
        inHand = 1;
        try {
            while (true) {
                try {
                    sink.record(event);
                    written.incrementAndGet();
                    if (failing) {
                        LOG.info("audit sink writing again");
                    }
                    return true;
                } catch (RuntimeException e) {
                    sinkFailures.increment();
                    if (!failing) {
                        failing = true;
                        LOG.log(Level.SEVERE, "audit sink failed (" + e.getClass().getName() + "); retrying the same "
                                + "record, calls will be refused once " + capacity() + " records wait");
                    }
                    if (closing) {
                        return false;
                    }
                    LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(pauseMillis));
                    pauseMillis = Math.min(pauseMillis * 2, MAX_RETRY_PAUSE.toMillis());
                }
            }
        } finally {
            inHand = 0;
        }
    }

    /**
     * Stops accepting records and waits up to {@code timeout} for the queue to be written; logs how many
     * records were lost if it could not be.
     *
     * @return whether everything accepted was written
     */
    public boolean close(Duration timeout) {
        closing = true;
        LockSupport.unpark(drain);
        try {
            drain.join(Math.max(1, timeout.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int left = depth();
        if (drain.isAlive() || left > 0) {
            LOG.severe("audit log not flushed at shutdown: " + left + " records were not written");
            return false;
        }
        return true;
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
