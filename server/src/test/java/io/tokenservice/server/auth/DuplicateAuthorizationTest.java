package io.tokenservice.server.auth;

import static io.tokenservice.server.testing.TestApps.APP_ID;
import static io.tokenservice.server.testing.TestApps.CERT;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.tokenservice.proto.v1.IssueRtcTokenRequest;
import io.tokenservice.proto.v1.IssuedToken;
import io.tokenservice.proto.v1.RtcRole;
import io.tokenservice.proto.v1.TokenServiceGrpc;
import io.tokenservice.server.audit.JsonAuditSink;
import io.tokenservice.server.testing.Launched;
import io.tokenservice.server.testing.LogCapture;
import io.tokenservice.server.testing.RawHttp2;
import io.tokenservice.server.testing.Statuses;
import io.tokenservice.server.testing.TestSecrets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, point 4: a call carrying two {@code authorization} fields used to run as whichever came last, so
 * [wrong, right] was accepted and [bob's key, alice's key] minted a token as alice. Now any call with more
 * than one is UNAUTHENTICATED, whatever their order, and audited with the reason.
 */
class DuplicateAuthorizationTest {
    private static final String ALICE_KEY = TestSecrets.register("tsk_duplicate_alice_key_0123456789a");
    private static final String BOB_KEY = TestSecrets.register("tsk_duplicate_bob_key_0123456789abcd");
    private static final String WRONG_KEY = "tsk_nobody_has_this_key_0123456789";
    private static final IssueRtcTokenRequest REQUEST = IssueRtcTokenRequest.newBuilder().setChannel("room")
            .setUid(9).setRole(RtcRole.RTC_ROLE_PUBLISHER).build();

    @TempDir
    static Path dir;

    private static Launched server;

    @BeforeAll
    static void start() throws Exception {
        server = Launched.start(Map.of("APP_ID", APP_ID, "APP_CERTIFICATE", CERT,
                "TOKEN_SERVICE_API_KEYS", "alice=" + ALICE_KEY + ",bob=" + BOB_KEY), dir);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Sends {@code authorization: Bearer <key>} once per key, in this order. */
    private static ClientInterceptor authorizations(String... keys) {
        return new ClientInterceptor() {
            @Override
            public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
                return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                    @Override
                    public void start(Listener<R> listener, Metadata headers) {
                        for (String key : keys) {
                            headers.put(AuthenticationInterceptor.AUTHORIZATION, "Bearer " + key);
                        }
                        super.start(listener, headers);
                    }
                };
            }
        };
    }

    @Test
    void twoAuthorizationFieldsAreRefusedInEitherOrderAndAudited() {
        try (LogCapture audit = LogCapture.of(JsonAuditSink.LOGGER_NAME)) {
            for (List<String> keys : List.of(List.of(WRONG_KEY, ALICE_KEY), List.of(ALICE_KEY, WRONG_KEY),
                    List.of(BOB_KEY, ALICE_KEY), List.of(ALICE_KEY, ALICE_KEY))) {
                var stub = TokenServiceGrpc.newBlockingStub(server.channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .withInterceptors(authorizations(keys.toArray(String[]::new)));
                assertThat(Statuses.failure(Status.Code.UNAUTHENTICATED, () -> stub.issueRtcToken(REQUEST))
                        .getStatus().getDescription()).isEqualTo(AuthenticationInterceptor.FAILURE_DESCRIPTION);
            }
            assertThat(audit.messages(Level.INFO)).hasSize(4).allSatisfy(line -> assertThat(line)
                    .contains("\"caller\":null").contains("\"outcome\":\"UNAUTHENTICATED\"")
                    .contains("\"reason\":\"more than one authorization field\""));
        }
        assertThat(server.as(ALICE_KEY).issueRtcToken(REQUEST).getToken()).as("one field still works").startsWith("007");
    }

    @Test
    void twoAuthorizationFieldsOnTheWireAreRefused() throws Exception {
        try (RawHttp2 client = RawHttp2.connect("127.0.0.1", server.server.port())) {
            String method = TokenServiceGrpc.getIssueRtcTokenMethod().getFullMethodName();
            RawHttp2.Response bobThenAlice = client.call(RawHttp2.grpcRequest(method,
                    "authorization", "Bearer " + BOB_KEY, "authorization", "Bearer " + ALICE_KEY), REQUEST);
            assertThat(bobThenAlice.grpcStatus()).hasValue(Status.Code.UNAUTHENTICATED.value());
            assertThat(bobThenAlice.data.size()).as("no token").isZero();

            RawHttp2.Response alice = client.call(RawHttp2.grpcRequest(method,
                    "authorization", "Bearer " + ALICE_KEY), REQUEST);
            assertThat(alice.grpcStatus()).hasValue(0);
            assertThat(alice.message(IssuedToken.parser()).getToken()).startsWith("007");
        }
    }
}
