package io.tokenservice.server;

import static io.tokenservice.server.testing.Statuses.failure;
import static io.tokenservice.server.testing.TestApps.APP_ID;
import static io.tokenservice.server.testing.TestApps.CERT;
import static io.tokenservice.server.testing.TestApps.FOREIGN_CERT;
import static io.tokenservice.server.testing.TestApps.OTHER_APP_ID;
import static io.tokenservice.server.testing.TestApps.UNKNOWN_APP_ID;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.RetryInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.tokenservice.proto.v1.InspectTokenRequest;
import io.tokenservice.proto.v1.IssueRtcTokenRequest;
import io.tokenservice.proto.v1.IssueRtmTokenRequest;
import io.tokenservice.proto.v1.RenewTokenRequest;
import io.tokenservice.proto.v1.RtcRole;
import io.tokenservice.server.audit.JsonAuditSink;
import io.tokenservice.server.auth.ApiKeyRegistry;
import io.tokenservice.server.testing.Launched;
import io.tokenservice.server.testing.LogCapture;
import io.tokenservice.server.testing.TestSecrets;
import io.tokenservice.server.testing.TestTokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, point 2: a refusal comes in the documented order, authentication, then the caller's rate limit,
 * then the coarse policy (may this caller call this RPC at all, for this app), then parsing and validation,
 * then the fine policy; so a caller over its limit or outside its policy learns nothing about its request,
 * and RenewToken does not tell an outsider which apps the server holds. Over Netty, as {@code java -jar}
 * wires it.
 */
class RefusalOrderTest {
    private static final String SPENT_KEY = TestSecrets.register("tsk_order_spent_key_0123456789abcdef");
    private static final String CLOSED_KEY = TestSecrets.register("tsk_order_closed_key_0123456789abcde");
    private static final String ELSEWHERE_KEY = TestSecrets.register("tsk_order_elsewhere_key_0123456789ab");
    private static final String GARBAGE = "this is not a token";

    @TempDir
    Path dir;

    private Launched server;
    private LogCapture audit;

    @BeforeEach
    void start() throws Exception {
        Path config = dir.resolve("token-service.yaml");
        Files.writeString(config, """
                apps:
                  - app_id: %s
                    primary_certificate: %s
                security:
                  callers:
                    spent:                     # one call, then none for 1000 s
                      api_keys: ["%s"]
                      apps: ["*"]
                      services: [rtc, rtm, chat]
                      channels: ["*"]
                      roles: [publisher, subscriber]
                      may_renew: true
                      may_inspect: true
                      rate_limit: {per_second: 0.001, burst: 1}
                    closed:                    # RTC only; may neither renew nor inspect
                      api_keys: ["%s"]
                      apps: ["*"]
                      services: [rtc]
                      channels: ["*"]
                      roles: [publisher]
                    elsewhere:                 # another app than the server's
                      api_keys: ["%s"]
                      apps: ["%s"]
                      services: [rtc, rtm, chat]
                      channels: ["*"]
                      roles: [publisher, subscriber]
                      may_renew: true
                      may_inspect: true
                """.formatted(APP_ID, CERT, ApiKeyRegistry.configHash(SPENT_KEY), ApiKeyRegistry.configHash(CLOSED_KEY),
                ApiKeyRegistry.configHash(ELSEWHERE_KEY), OTHER_APP_ID));
        audit = LogCapture.of(JsonAuditSink.LOGGER_NAME);
        server = Launched.start(Map.of("TOKEN_SERVICE_CONFIG", config.toString()), dir);
    }

    @AfterEach
    void stop() {
        server.close();
        audit.close();
    }

    private static IssueRtcTokenRequest rtc(String channel) {
        return IssueRtcTokenRequest.newBuilder().setChannel(channel).setUid(7).setRole(RtcRole.RTC_ROLE_PUBLISHER).build();
    }

    /** A well-formed 007 token for {@code appId}, signed with {@code certificate}, valid for an hour from now. */
    private static String token(String appId, String certificate) {
        return TestTokens.sign(certificate, appId, Instant.now().getEpochSecond(), 3600,
                TestTokens.rtcPublisher("room", "7", 3600));
    }

    private List<String> auditLines() throws InterruptedException {
        server.awaitAudit();
        return audit.messages(java.util.logging.Level.INFO);
    }

    @Test
    void aCallerOverItsRateLimitGetsResourceExhaustedWhateverItsRequestHolds() throws Exception {
        assertThat(server.as(SPENT_KEY).issueRtcToken(rtc("room")).getToken()).startsWith("007");

        List<StatusRuntimeException> refusals = List.of(
                failure(Status.Code.RESOURCE_EXHAUSTED, () -> server.as(SPENT_KEY).inspectToken(
                        InspectTokenRequest.newBuilder().setToken(GARBAGE).build())),
                failure(Status.Code.RESOURCE_EXHAUSTED, () -> server.as(SPENT_KEY).renewToken(
                        RenewTokenRequest.newBuilder().setToken(token(UNKNOWN_APP_ID, FOREIGN_CERT)).build())),
                failure(Status.Code.RESOURCE_EXHAUSTED, () -> server.as(SPENT_KEY).issueRtcToken(rtc("bad/channel"))));

        for (StatusRuntimeException e : refusals) {
            assertThat(StatusProto.fromThrowable(e).getDetailsList()).as("details of %s", e.getStatus())
                    .anySatisfy(d -> assertThat(d.is(RetryInfo.class)).isTrue());
            assertThat(e.getStatus().getDescription()).startsWith("rate limit of caller 'spent' exceeded");
        }
        List<String> refused = auditLines().stream().filter(l -> l.contains("\"outcome\":\"RESOURCE_EXHAUSTED\"")).toList();
        assertThat(refused).hasSize(3).allSatisfy(l -> assertThat(l).contains("\"caller\":\"spent\"")
                .contains("\"app\":null"));
    }

    @Test
    void aCallerThatMayNotCallAnRpcIsToldSoBeforeItsRequestIsRead() {
        assertThat(failure(Status.Code.PERMISSION_DENIED, () -> server.as(CLOSED_KEY).inspectToken(
                InspectTokenRequest.newBuilder().setToken(GARBAGE).build())).getStatus().getDescription())
                .isEqualTo("policy of caller 'closed': InspectToken is not allowed (may_inspect: false)");
        assertThat(failure(Status.Code.PERMISSION_DENIED, () -> server.as(CLOSED_KEY).renewToken(
                RenewTokenRequest.newBuilder().setToken(GARBAGE).build())).getStatus().getDescription())
                .isEqualTo("policy of caller 'closed': RenewToken is not allowed (may_renew: false)");
        assertThat(failure(Status.Code.PERMISSION_DENIED, () -> server.as(CLOSED_KEY).issueRtmToken(
                IssueRtmTokenRequest.newBuilder().setUserId("").build())).getStatus().getDescription())
                .isEqualTo("policy of caller 'closed': service rtm is not allowed (services: [rtc])");
    }

    @Test
    void renewTokenDoesNotTellACallerOutsideTheAppWhetherTheServerHoldsIt() {
        String held = failure(Status.Code.PERMISSION_DENIED, () -> server.as(ELSEWHERE_KEY).renewToken(
                RenewTokenRequest.newBuilder().setToken(token(APP_ID, CERT)).build())).getStatus().getDescription();
        String unknown = failure(Status.Code.PERMISSION_DENIED, () -> server.as(ELSEWHERE_KEY).renewToken(
                RenewTokenRequest.newBuilder().setToken(token(UNKNOWN_APP_ID, FOREIGN_CERT)).build()))
                .getStatus().getDescription();

        assertThat(held).isEqualTo("policy of caller 'elsewhere': app '" + APP_ID + "' matches none of ["
                + OTHER_APP_ID + "]");
        assertThat(unknown.replace(UNKNOWN_APP_ID, APP_ID)).isEqualTo(held);
    }

    @Test
    void anAppOutsideThePolicyIsRefusedBeforeTheRestOfTheRequestIsValidated() {
        IssueRtcTokenRequest invalid = IssueRtcTokenRequest.newBuilder().setAppId(APP_ID).setChannel("bad/channel")
                .build();
        assertThat(failure(Status.Code.PERMISSION_DENIED, () -> server.as(ELSEWHERE_KEY).issueRtcToken(invalid))
                .getStatus().getDescription()).isEqualTo("policy of caller 'elsewhere': app '" + APP_ID
                + "' matches none of [" + OTHER_APP_ID + "]");
        String longName = "x".repeat(5000);
        assertThat(failure(Status.Code.PERMISSION_DENIED, () -> server.as(ELSEWHERE_KEY).issueRtcToken(
                invalid.toBuilder().setAppId(longName).build())).getStatus().getDescription())
                .isEqualTo("policy of caller 'elsewhere': app '" + "x".repeat(64) + "... (5000 characters)' "
                        + "matches none of [" + OTHER_APP_ID + "]");
    }

    @Test
    void withinItsLimitAndPolicyACallerStillGetsTheParsersDiagnosis() {
        assertThat(failure(Status.Code.INVALID_ARGUMENT, () -> server.as(ELSEWHERE_KEY).inspectToken(
                InspectTokenRequest.newBuilder().setToken(GARBAGE).build())).getStatus().getDescription())
                .startsWith("invalid request: token is not a valid 006 or 007 token");
        assertThat(failure(Status.Code.INVALID_ARGUMENT, () -> server.as(CLOSED_KEY).issueRtcToken(rtc("bad/channel")))
                .getStatus().getDescription()).startsWith("invalid request: channel may contain only");
    }
}
