package io.tokenservice.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The run's bookkeeping against clients that answer at once: counts, not speed. */
class LoadRunTest {
    /** Never answers. */
    static final RpcClient SILENT = new RpcClient() {
        @Override
        public void start(Completion completion) {}

        @Override
        public void close() {}
    };

    /** Answers every call on the calling thread: OK, except every {@code failEvery}-th call. */
    static final class ImmediateClient implements RpcClient {
        final AtomicLong calls = new AtomicLong();
        final long failEvery;

        ImmediateClient(long failEvery) {
            this.failEvery = failEvery;
        }

        @Override
        public void start(Completion completion) {
            long n = calls.incrementAndGet();
            completion.done(failEvery > 0 && n % failEvery == 0 ? "RESOURCE_EXHAUSTED" : OK);
        }

        @Override
        public void close() {}
    }

    /** A client whose connection runs on a thread of its own, which the open loop sends from. */
    static final class ClientWithItsOwnThread implements RpcClient {
        final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "own"));
        final RpcClient client;
        final AtomicLong startedOnIt = new AtomicLong();

        ClientWithItsOwnThread(RpcClient client) {
            this.client = client;
        }

        @Override
        public void start(Completion completion) {
            if (Thread.currentThread().getName().equals("own")) {
                startedOnIt.incrementAndGet();
            }
            client.start(completion);
        }

        @Override
        public Optional<ScheduledExecutorService> connectionThread() {
            return Optional.of(thread);
        }

        @Override
        public void close() {
            thread.shutdownNow();
        }
    }

    @ParameterizedTest(name = "sent from its own thread: {0}")
    @ValueSource(booleans = {false, true})
    void anOpenLoopSendsExactlyTheScheduledCallsOfTheMeasurement(boolean fromConnectionThread) throws Exception {
        LoadOptions options = LoadOptions.parse(new String[] {"--rate", "2000", "--warmup", "0.1", "--duration", "0.2"},
                Map.of());
        ImmediateClient client = new ImmediateClient(10);
        ClientWithItsOwnThread own = new ClientWithItsOwnThread(client);

        LoadResult r = new LoadRun(fromConnectionThread ? own : client, options).run();
        own.close();

        long scheduled = new OpenLoopSchedule(2000).callsBetween(100_000_000L, 300_000_000L);
        assertThat(scheduled).isEqualTo(400);
        assertThat(r.ok() + r.failed()).isEqualTo(scheduled);
        assertThat(r.errors()).containsOnlyKeys("RESOURCE_EXHAUSTED");
        assertThat(r.errors().get("RESOURCE_EXHAUSTED")).isEqualTo(40);
        assertThat(client.calls.get()).isGreaterThan(scheduled); // warm-up calls are sent, not counted
        // The warm-up's rehearsal of the schedule (a quarter of 0.1 s) is sent from it too, the closed loop's not.
        long rehearsed = new OpenLoopSchedule(2000).callsBetween(0, 25_000_000L);
        assertThat(own.startedOnIt).hasValue(fromConnectionThread ? scheduled + rehearsed : 0);
    }

    @Test
    void anOpenLoopsMeasurementInheritsNoBacklogFromItsWarmUp() throws Exception {
        // A cold server that never answers the warm-up's calls, then answers at once: at the full rate, the warm-up
        // would hold the only permit until long after the end and the whole measurement would go unsent.
        LoadOptions options = LoadOptions.parse(new String[] {"--rate", "1000", "--warmup", "0.05", "--duration", "0.1",
                "--max-outstanding", "1", "--deadline", "0.05"}, Map.of());
        int warmupCalls = options.concurrency();
        AtomicLong calls = new AtomicLong();
        RpcClient coldThenFast = new RpcClient() {
            @Override
            public void start(Completion completion) {
                if (calls.incrementAndGet() > warmupCalls) {
                    completion.done(OK);
                }
            }

            @Override
            public void close() {}
        };

        LoadResult r = new LoadRun(coldThenFast, options, java.time.Duration.ZERO).run();

        assertThat(r.errors()).isEmpty();
        assertThat(r.ok()).isEqualTo(100);
        long rehearsed = new OpenLoopSchedule(1000).callsBetween(0, 12_500_000L); // a quarter of the warm-up
        assertThat(calls.get()).isEqualTo(warmupCalls + rehearsed + 100L);
    }

    @Test
    void aClosedLoopKeepsGoingWhenCallsCompleteOnTheCallingThread() throws Exception {
        LoadOptions options = LoadOptions.parse(new String[] {"--concurrency", "4", "--warmup", "0", "--duration", "0.2"},
                Map.of());
        ImmediateClient client = new ImmediateClient(0);

        LoadResult r = new LoadRun(client, options).run();

        assertThat(r.failed()).isZero();
        assertThat(r.ok()).isPositive().isEqualTo(client.calls.get());
    }

    @ParameterizedTest(name = "sent from its own thread: {0}")
    @ValueSource(booleans = {false, true})
    void anOpenLoopThatFallsBehindStopsAtTheEndAndCountsWhatItNeverSent(boolean fromConnectionThread) throws Exception {
        // One call in flight at most, and it never answers: the sender waits for a permit until a deadline after the end.
        LoadOptions options = LoadOptions.parse(new String[] {"--rate", "1000", "--warmup", "0", "--duration", "0.1",
                "--max-outstanding", "1", "--deadline", "1"}, Map.of());
        ClientWithItsOwnThread own = new ClientWithItsOwnThread(SILENT);

        LoadResult r = new LoadRun(fromConnectionThread ? own : SILENT, options, java.time.Duration.ZERO).run();
        own.close();

        assertThat(r.ok()).isZero();
        assertThat(r.errors()).isEqualTo(Map.of("UNFINISHED", 1L, "NOT_SENT", 99L));
    }

    @Test
    void callsThatNeverAnswerAreCountedAsUnfinished() throws Exception {
        // A deadline of 1 s leaves a loaded machine time to send all five (a call not sent by then is NOT_SENT).
        LoadOptions options = LoadOptions.parse(new String[] {"--rate", "100", "--warmup", "0", "--duration", "0.05",
                "--deadline", "1"}, Map.of());

        LoadResult r = new LoadRun(SILENT, options, java.time.Duration.ZERO).run();

        assertThat(r.ok()).isZero();
        assertThat(r.errors()).isEqualTo(Map.of("UNFINISHED", 5L));
    }

    @ParameterizedTest
    @CsvSource({"--concurrency, 4", "--rate, 1000"})
    void theLoadersCpuIsWhatItsProcessUsedOverTheMeasurementOnly(String mode, String value) throws Exception {
        // The measurement's readings are 1.0 s and 1.3 s of CPU over about its 0.2 s: about 1.5 cores (the open loop
        // stops at its last call, a little before the end). An open loop warms up as a closed loop and a rehearsal of
        // its schedule, whose readings (far off) must not count.
        LoadOptions options = LoadOptions.parse(new String[] {mode, value, "--warmup", "0.05", "--duration", "0.2"},
                Map.of());
        List<Long> readings = mode.equals("--rate")
                ? List.of(5_000_000_000L, 9_000_000_000L, 7_000_000_000L, 3_000_000_000L, 1_000_000_000L, 1_300_000_000L)
                : List.of(1_000_000_000L, 1_300_000_000L);
        AtomicInteger reads = new AtomicInteger();

        LoadResult r = new LoadRun(new ImmediateClient(0), options, java.time.Duration.ZERO,
                () -> readings.get(reads.getAndIncrement())).run();

        assertThat(r.loaderCores()).isBetween(0.1, 1.6);
        assertThat(reads).hasValue(readings.size());
    }
}
