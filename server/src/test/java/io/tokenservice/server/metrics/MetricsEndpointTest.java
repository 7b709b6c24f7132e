package io.tokenservice.server.metrics;

import static io.tokenservice.server.testing.TestApps.APP_ID;
import static io.tokenservice.server.testing.TestApps.CERT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tokenservice.proto.v1.IssueRtcTokenRequest;
import io.tokenservice.proto.v1.IssueRtmTokenRequest;
import io.tokenservice.proto.v1.RtcRole;
import io.tokenservice.server.auth.ApiKeyRegistry;
import io.tokenservice.server.testing.Launched;
import io.tokenservice.server.testing.Metrics;
import io.tokenservice.server.testing.TestSecrets;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics} on the admin port of a server started as {@code java -jar} starts it, after real calls:
 * the values, the labels, and that no label carries a channel, uid, account, key or token.
 */
class MetricsEndpointTest {
    private static final String WEB_KEY = TestSecrets.register("tsk_metrics_web_key_0123456789abcdef");
    private static final String SLOW_KEY = TestSecrets.register("tsk_metrics_slow_key_0123456789abcdef");
    private static final String CHANNEL = "team-secret-room-4711";
    private static final int UID = 918273;

    @TempDir
    Path dir;

    private Launched start() throws Exception {
        Path config = dir.resolve("token-service.yaml");
        Files.writeString(config, """
                apps:
                  - app_id: %s
                    primary_certificate: %s
                admin:
                  port: 0
                security:
                  callers:
                    web:
                      api_keys: ["%s"]
                      apps: ["*"]
                      services: [rtc, rtm]
                      channels: ["team-*"]
                      roles: [publisher, subscriber]
                    slow:
                      api_keys: ["%s"]
                      apps: ["*"]
                      services: [rtc]
                      channels: ["*"]
                      roles: [subscriber]
                      rate_limit: {per_second: 0.001, burst: 1}
                  deny_list:
                    path: deny-list.txt
                """.formatted(APP_ID, CERT, ApiKeyRegistry.configHash(WEB_KEY), ApiKeyRegistry.configHash(SLOW_KEY)));
        Files.writeString(dir.resolve("deny-list.txt"), "channel:team-banned\n");
        return Launched.start(Map.of("TOKEN_SERVICE_CONFIG", config.toString()), dir);
    }

    private static IssueRtcTokenRequest rtc(String channel) {
        return IssueRtcTokenRequest.newBuilder().setChannel(channel).setUid(UID)
                .setRole(RtcRole.RTC_ROLE_SUBSCRIBER).build();
    }

    private static Status.Code code(Runnable call) {
        try {
            call.run();
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
    }

    @Test
    void countsCallsTokensAndRefusalsWithBoundedLabelsOnly() throws Exception {
        try (Launched s = start()) {
            int admin = s.server.adminPort().orElseThrow();
            String token = s.as(WEB_KEY).issueRtcToken(rtc(CHANNEL)).getToken();
            s.as(WEB_KEY).issueRtcToken(rtc(CHANNEL));
            s.as(WEB_KEY).issueRtmToken(IssueRtmTokenRequest.newBuilder().setUserId("user-" + UID).build());
            assertThat(code(() -> s.anonymous().issueRtcToken(rtc(CHANNEL)))).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(code(() -> s.as(WEB_KEY).issueRtcToken(rtc("")))).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(code(() -> s.as(WEB_KEY).issueRtcToken(rtc("other-room"))))
                    .isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(code(() -> s.as(WEB_KEY).issueRtcToken(rtc("team-banned"))))
                    .isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(code(() -> s.as(SLOW_KEY).issueRtcToken(rtc(CHANNEL)))).isEqualTo(Status.Code.OK);
            assertThat(code(() -> s.as(SLOW_KEY).issueRtcToken(rtc(CHANNEL))))
                    .isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            s.server.reload();

            String metrics = Metrics.scrape(admin);
            assertThat(Metrics.value(metrics, "tokenservice_rpc_duration_seconds_count{code=\"OK\",rpc=\"IssueRtcToken\"}"))
                    .isEqualTo(3);
            assertThat(Metrics.value(metrics, "tokenservice_rpc_duration_seconds_count{code=\"OK\",rpc=\"IssueRtmToken\"}"))
                    .isEqualTo(1);
            assertThat(Metrics.value(metrics,
                    "tokenservice_rpc_duration_seconds_count{code=\"PERMISSION_DENIED\",rpc=\"IssueRtcToken\"}"))
                    .isEqualTo(2);
            assertThat(Metrics.value(metrics,
                    "tokenservice_rpc_duration_seconds_bucket{code=\"OK\",rpc=\"IssueRtcToken\",le=\"+Inf\"}"))
                    .isEqualTo(3);
            assertThat(Metrics.value(metrics, "tokenservice_tokens_issued_total{app=\"" + APP_ID
                    + "\",caller=\"web\",service=\"rtc\"}")).isEqualTo(2);
            assertThat(Metrics.value(metrics, "tokenservice_tokens_issued_total{app=\"" + APP_ID
                    + "\",caller=\"web\",service=\"rtm\"}")).isEqualTo(1);
            assertThat(Metrics.value(metrics, "tokenservice_tokens_issued_total{app=\"" + APP_ID
                    + "\",caller=\"slow\",service=\"rtc\"}")).isEqualTo(1);
            for (String reason : new String[] {"authentication", "validation", "policy", "deny_list", "rate_limit"}) {
                assertThat(Metrics.value(metrics, "tokenservice_refusals_total{reason=\"" + reason + "\",rpc=\"IssueRtcToken\"}"))
                        .as(reason).isEqualTo(1);
            }
            assertThat(Metrics.value(metrics, "tokenservice_rate_limit_hits_total{caller=\"slow\"}")).isEqualTo(1);
            assertThat(Metrics.value(metrics, "tokenservice_config_reloads_total{outcome=\"applied\"}")).isEqualTo(1);
            assertThat(Metrics.value(metrics, "tokenservice_config_reloads_total{outcome=\"invalid\"}")).isEqualTo(0);
            assertThat(Metrics.value(metrics, "tokenservice_audit_queue_capacity")).isEqualTo(8192);
            assertThat(Metrics.value(metrics, "tokenservice_audit_queue_depth")).isGreaterThanOrEqualTo(0);
            assertThat(Metrics.value(metrics, "tokenservice_audit_records_rejected_total")).isEqualTo(0);
            assertThat(metrics).containsPattern("(?m)^tokenservice_build_info\\{java_version=\"[^\"]+\",version=\"[^\"]+\"} 1");
            assertThat(metrics).contains("jvm_memory_used_bytes");
            assertThat(metrics).as("no Redis configured").doesNotContain("tokenservice_rate_limit_redis")
                    .doesNotContain("tokenservice_rate_limit_calls");

            assertThat(metrics).doesNotContain(CHANNEL).doesNotContain("team-banned").doesNotContain("other-room")
                    .doesNotContain(Integer.toString(UID)).doesNotContain(WEB_KEY).doesNotContain(SLOW_KEY)
                    .doesNotContain(token).doesNotContain(CERT);
        }
    }

    @Test
    void onlyMetricsIsServedAndTheAdminPortIsOffUnlessConfigured() throws Exception {
        try (Launched s = start()) {
            HttpResponse<String> other = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + s.server.adminPort().orElseThrow() + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(other.statusCode()).isEqualTo(404);
            HttpResponse<String> post = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + s.server.adminPort().orElseThrow() + "/metrics"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
        }
        try (Launched s = Launched.start(Map.of("APP_ID", APP_ID, "APP_CERTIFICATE", CERT,
                "TOKEN_SERVICE_API_KEYS", "web=" + WEB_KEY), dir)) {
            assertThat(s.server.adminPort()).isEmpty();
        }
        assertThatThrownBy(() -> Launched.start(Map.of("APP_ID", APP_ID, "APP_CERTIFICATE", CERT,
                "TOKEN_SERVICE_API_KEYS", "web=" + WEB_KEY, "ADMIN_PORT", "0", "ADMIN_BIND_ADDRESS", "metrics.local"),
                dir)).hasMessageContaining("ADMIN_BIND_ADDRESS").hasMessageContaining("must be an IP address");
    }
}
