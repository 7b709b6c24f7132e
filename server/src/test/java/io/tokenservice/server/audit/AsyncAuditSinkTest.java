package io.tokenservice.server.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.tokenservice.server.access.AuditEvent;
import io.tokenservice.server.access.AuditSink;
import io.tokenservice.server.access.AuditUnavailableException;
import io.tokenservice.server.access.Rpc;
import io.tokenservice.server.testing.LogCapture;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** The audit queue: order, a slow sink (full queue: refused, counted, logged once), a broken sink (retried, nothing lost), flush at close. */
class AsyncAuditSinkTest {
    private static final long WAIT_SECONDS = 20;

    private static AuditEvent event(int n) {
        return new AuditEvent(Instant.ofEpochSecond(n), Optional.empty(), Rpc.INSPECT_TOKEN, Optional.empty(),
                Status.Code.UNAUTHENTICATED, "event " + n, Optional.empty());
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    @Test
    void everyAcceptedRecordIsWrittenInOrderAndCloseFlushes() throws Exception {
        List<String> written = new CopyOnWriteArrayList<>();
        AsyncAuditSink queue = new AsyncAuditSink(e -> written.add(e.reason()), 1000);
        for (int i = 0; i < 500; i++) {
            queue.record(event(i));
        }
        assertThat(queue.close(Duration.ofSeconds(WAIT_SECONDS))).isTrue();
        assertThat(written).containsExactlyElementsOf(java.util.stream.IntStream.range(0, 500)
                .mapToObj(i -> "event " + i).toList());
        assertThat(queue.depth()).isZero();
        assertThat(queue.rejected()).isZero();
        assertThatThrownBy(() -> queue.record(event(1))).isInstanceOf(AuditUnavailableException.class);
    }

    @Test
    void aSlowSinkFillsTheQueueAndFurtherRecordsAreRefusedCountedAndLoggedOnce() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> written = new CopyOnWriteArrayList<>();
        AuditSink slow = e -> {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
            written.add(e.reason());
        };
        try (LogCapture log = LogCapture.of(AsyncAuditSink.class.getName())) {
            AsyncAuditSink queue = new AsyncAuditSink(slow, 2);
            queue.record(event(0));
            assertThat(entered.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
            queue.record(event(1));
            queue.record(event(2));
            assertThat(queue.depth()).isEqualTo(3);
            for (int i = 3; i < 10; i++) {
                int n = i;
                assertThatThrownBy(() -> queue.record(event(n))).isInstanceOf(AuditUnavailableException.class)
                        .hasMessageContaining("no token was issued");
            }
            assertThat(queue.rejected()).isEqualTo(7);
            assertThat(log.linesContaining("audit queue full")).hasSize(1);

            release.countDown();
            await(() -> written.size() == 3, "the slow sink to catch up");
            await(() -> !log.linesContaining("accepting records again").isEmpty(), "the end of the episode");
            queue.record(event(10));
            assertThat(queue.close(Duration.ofSeconds(WAIT_SECONDS))).isTrue();
            assertThat(written).containsExactly("event 0", "event 1", "event 2", "event 10");
        }
    }

    @Test
    void aBrokenSinkIsRetriedWithTheSameRecordSoNothingIsLostAndTheQueueFillsMeanwhile() throws Exception {
        AtomicBoolean broken = new AtomicBoolean(true);
        List<String> written = new CopyOnWriteArrayList<>();
        AuditSink flaky = e -> {
            if (broken.get()) {
                throw new IllegalStateException("disk full");
            }
            written.add(e.reason());
        };
        try (LogCapture log = LogCapture.of(AsyncAuditSink.class.getName())) {
            AsyncAuditSink queue = new AsyncAuditSink(flaky, 3);
            queue.record(event(0));
            await(() -> queue.sinkFailures() >= 1, "the first failure");
            for (int i = 1; i <= 3; i++) {
                queue.record(event(i));
            }
            await(() -> queue.sinkFailures() >= 3, "retries of the failing record");
            assertThatThrownBy(() -> queue.record(event(99))).isInstanceOf(AuditUnavailableException.class);
            assertThat(log.linesContaining("audit sink failed")).hasSize(1);
            assertThat(written).isEmpty();

            broken.set(false);
            await(() -> queue.depth() == 0, "the repaired sink to write the backlog");
            assertThat(written).containsExactly("event 0", "event 1", "event 2", "event 3");
            assertThat(log.linesContaining("audit sink writing again")).hasSize(1);
            assertThat(queue.close(Duration.ofSeconds(WAIT_SECONDS))).isTrue();
        }
    }

    @Test
    void closeReportsRecordsItCouldNotWrite() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        AsyncAuditSink queue = new AsyncAuditSink(e -> {
            try {
                never.await();
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }, 4);
        try (LogCapture log = LogCapture.of(AsyncAuditSink.class.getName())) {
            queue.record(event(0));
            queue.record(event(1));
            assertThat(queue.close(Duration.ofMillis(100))).isFalse();
            assertThat(log.linesContaining("audit log not flushed at shutdown")).hasSize(1);
        } finally {
            never.countDown();
        }
    }
}
