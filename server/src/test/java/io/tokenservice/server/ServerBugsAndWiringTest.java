package io.tokenservice.server;

import static io.tokenservice.server.testing.Statuses.failure;
import static io.tokenservice.server.testing.TestApps.APP_ID;
import static io.tokenservice.server.testing.TestApps.CERT;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.tokenservice.proto.v1.IssueRtmTokenRequest;
import io.tokenservice.server.access.AuditEvent;
import io.tokenservice.server.access.Caller;
import io.tokenservice.server.access.CallerContext;
import io.tokenservice.server.testing.LogCapture;
import io.tokenservice.server.testing.TestServer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/**
 * How caller security plugs in (authenticator, interceptors, gate, audit) and what a server bug looks
 * like to the client: INTERNAL with no details, never a token handed out unaudited.
 */
class ServerBugsAndWiringTest {
    private static final IssueRtmTokenRequest REQUEST = IssueRtmTokenRequest.newBuilder().setUserId("u").build();

    private static ServerInterceptor recording(String name, List<String> order, Caller caller) {
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                    ServerCallHandler<Q, R> next) {
                order.add(name + (CallerContext.CALLER.get() == null ? "" : " sees " + CallerContext.CALLER.get().name()));
                if (caller == null) {
                    return next.startCall(call, headers);
                }
                return Contexts.interceptCall(Context.current().withValue(CallerContext.CALLER, caller), call, headers, next);
            }
        };
    }

    @Test
    void theAuthenticatorRunsFirstThenTheInterceptorsInTheOrderAdded() {
        List<String> order = new CopyOnWriteArrayList<>();
        Caller web = new Caller("web", Caller.AuthMethod.API_KEY);
        try (TestServer server = TestServer.inProcess(b -> b.app(APP_ID, CERT)
                .interceptor(recording("first", order, null))
                .authenticator(recording("auth", order, web))
                .interceptor(recording("second", order, null)))) {
            server.stub().issueRtmToken(REQUEST);

            assertThat(order).containsExactly("auth", "first sees web", "second sees web");
            assertThat(server.gate.callers()).containsExactly(web);
            assertThat(server.audit.last().caller()).contains(web);
        }
    }

    @Test
    void withoutAnAuthenticatorCallsRunAsAnonymous() {
        try (TestServer server = TestServer.inProcess(b -> b.app(APP_ID, CERT))) {
            server.stub().issueRtmToken(REQUEST);

            assertThat(server.gate.callers()).containsExactly(new Caller("anonymous", Caller.AuthMethod.NONE));
        }
    }

    @Test
    void anAuthenticatorThatForgetsTheCallerIsAServerBug() {
        List<String> order = new CopyOnWriteArrayList<>();
        try (TestServer server = TestServer.inProcess(b -> b.app(APP_ID, CERT).authenticator(recording("auth", order, null)));
                LogCapture log = LogCapture.all()) {
            failure(Status.Code.INTERNAL, () -> server.stub().issueRtmToken(REQUEST));

            assertThat(server.gate.requests()).isEmpty();
            assertThat(server.audit.last().outcome()).isEqualTo(Status.Code.INTERNAL);
            assertThat(server.audit.last().caller()).isEmpty();
            assertThat(log.messages(Level.SEVERE)).anySatisfy(m -> assertThat(m).contains("without a caller"));
        }
    }

    @Test
    void aFailingGateIsInternalWithoutDetails() {
        try (TestServer server = TestServer.inProcess(b -> b.app(APP_ID, CERT));
                LogCapture log = LogCapture.all()) {
            server.gate.behave((caller, request) -> {
                throw new IllegalStateException("policy table corrupt");
            });

            var e = failure(Status.Code.INTERNAL, () -> server.stub().issueRtmToken(REQUEST));

            assertThat(e.getStatus().getDescription()).contains("server bug").doesNotContain("policy table");
            assertThat(server.audit.last().outcome()).isEqualTo(Status.Code.INTERNAL);
            assertThat(log.messages(Level.SEVERE)).anySatisfy(m -> assertThat(m).contains("IssueRtmToken")
                    .contains("IllegalStateException"));
        }
    }

    @Test
    void aTokenThatCannotBeAuditedIsNotHandedOut() {
        List<AuditEvent> attempts = new CopyOnWriteArrayList<>();
        try (TestServer server = TestServer.inProcess(b -> b.app(APP_ID, CERT).auditSink(event -> {
            attempts.add(event);
            throw new IllegalStateException("audit log disk full");
        }))) {
            var e = failure(Status.Code.INTERNAL, () -> server.stub().issueRtmToken(REQUEST));

            assertThat(e.getStatus().getDescription()).contains("audit").contains("not issued");
            assertThat(attempts).hasSize(1);
            assertThat(attempts.get(0).outcome()).isEqualTo(Status.Code.OK);
        }
    }

    @Test
    void aFailingAuditSinkDoesNotHideARefusal() {
        try (TestServer server = TestServer.inProcess(b -> b.app(APP_ID, CERT).auditSink(event -> {
            throw new IllegalStateException("audit log disk full");
        }))) {
            failure(Status.Code.INVALID_ARGUMENT, () -> server.stub().issueRtmToken(IssueRtmTokenRequest.getDefaultInstance()));
        }
    }
}
