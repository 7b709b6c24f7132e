package io.tokenservice.server.auth;

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
import io.tokenservice.server.denylist.DenyList;
import io.tokenservice.server.testing.RawHttp2;
import io.tokenservice.server.testing.Statuses;
import io.tokenservice.server.testing.TokenServerExtension;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 9, point 4: a call carrying two {@code authorization} fields used to run as whichever came last, so
 * [wrong, right] was accepted and [bob's key, alice's key] minted a token as alice. Now any call with more
 * than one is UNAUTHENTICATED, whatever their order, and audited with the reason.
 */
class DuplicateAuthorizationTest {
    private static final String ALICE_KEY = "tsk_duplicate_alice_key_0123456789a";
    private static final String BOB_KEY = "tsk_duplicate_bob_key_0123456789abcd";
    private static final String WRONG_KEY = "tsk_nobody_has_this_key_0123456789";
    private static final IssueRtcTokenRequest REQUEST = IssueRtcTokenRequest.newBuilder().setChannel("room")
            .setUid(9).setRole(RtcRole.RTC_ROLE_PUBLISHER).build();

    @RegisterExtension
    static final TokenServerExtension server =
            TokenServerExtension.quickStart(DenyList.empty(), "alice", ALICE_KEY, "bob", BOB_KEY);

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
        for (List<String> keys : List.of(List.of(WRONG_KEY, ALICE_KEY), List.of(ALICE_KEY, WRONG_KEY),
                List.of(BOB_KEY, ALICE_KEY), List.of(ALICE_KEY, ALICE_KEY))) {
            var stub = server.stub().withInterceptors(authorizations(keys.toArray(String[]::new)));
            assertThat(Statuses.failure(Status.Code.UNAUTHENTICATED, () -> stub.issueRtcToken(REQUEST))
                    .getStatus().getDescription()).isEqualTo(AuthenticationInterceptor.FAILURE_DESCRIPTION);
        }
        assertThat(server.audit.events()).hasSize(4).allSatisfy(event -> {
            assertThat(event.caller()).isEmpty();
            assertThat(event.outcome()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(event.reason()).isEqualTo("more than one authorization field");
        });
        assertThat(server.as(ALICE_KEY).issueRtcToken(REQUEST).getToken()).as("one field still works").startsWith("007");
    }

    @Test
    void twoAuthorizationFieldsOnTheWireAreRefused() throws Exception {
        try (RawHttp2 client = RawHttp2.connect("127.0.0.1", server.server().port())) {
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
