package io.tokenservice.server.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tokenservice.proto.v1.IssueRtcTokenRequest;
import io.tokenservice.proto.v1.RtcRole;
import io.tokenservice.server.metrics.ServerMetrics;
import io.tokenservice.server.testing.Metrics;
import io.tokenservice.server.testing.TestApps;
import io.tokenservice.server.testing.TestServer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A real server whose audit stream is stuck: once the queue is full, a call that would hand out a token is
 * refused with UNAVAILABLE and no token, counted in the metrics; once the stream moves again, calls succeed.
 */
class AuditQueueFullTest {
    private static final IssueRtcTokenRequest REQUEST = IssueRtcTokenRequest.newBuilder().setChannel("demo")
            .setUid(7).setRole(RtcRole.RTC_ROLE_SUBSCRIBER).build();

    @Test
    void aTokenIsNeverHandedOutWithoutItsRecordQueued() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> written = new CopyOnWriteArrayList<>();
        AsyncAuditSink queue = new AsyncAuditSink(event -> {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            written.add(event.outcome().name());
        }, 1);
        ServerMetrics metrics = new ServerMetrics();
        metrics.auditQueue(queue);
        try (TestServer server = TestServer.inProcess(config -> config.app(TestApps.APP_ID, TestApps.CERT).auditSink(metrics.decisions(queue))
                .observer(metrics.rpcs()))) {
            assertThat(server.stub().issueRtcToken(REQUEST).getToken()).startsWith("007");
            assertThat(entered.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(server.stub().issueRtcToken(REQUEST).getToken()).startsWith("007");

            StatusRuntimeException refused = catchThrowableOfType(StatusRuntimeException.class,
                    () -> server.stub().issueRtcToken(REQUEST));
            assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(refused.getStatus().getDescription())
                    .isEqualTo("the audit log cannot keep up; no token was issued, retry later");
            assertThat(refused.getTrailers() == null ? "" : refused.getTrailers().toString()).doesNotContain("007");

            String scraped = metrics.scrape();
            assertThat(Metrics.value(scraped, "tokenservice_audit_records_rejected_total")).isEqualTo(1);
            assertThat(Metrics.value(scraped,
                    "tokenservice_refusals_total{reason=\"audit_unavailable\",rpc=\"IssueRtcToken\"}")).isEqualTo(1);
            assertThat(Metrics.value(scraped, "tokenservice_audit_queue_depth")).isEqualTo(2);
            assertThat(Metrics.value(scraped,
                    "tokenservice_rpc_duration_seconds_count{code=\"UNAVAILABLE\",rpc=\"IssueRtcToken\"}")).isEqualTo(1);

            release.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (queue.depth() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(server.stub().issueRtcToken(REQUEST).getToken()).startsWith("007");
            assertThat(queue.close(java.time.Duration.ofSeconds(20))).isTrue();
            assertThat(written).containsExactly("OK", "OK", "OK");
        } finally {
            release.countDown();
            metrics.close();
        }
    }
}
