package io.tokenservice.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.StreamObserver;
import io.tokenservice.proto.v1.IssueRtcTokenRequest;
import io.tokenservice.proto.v1.IssuedToken;
import io.tokenservice.proto.v1.TokenServiceGrpc;
import io.tokenservice.server.access.AuditEvent;
import io.tokenservice.server.access.Caller;
import io.tokenservice.server.access.CallerContext;
import io.tokenservice.server.access.Rpc;
import io.tokenservice.server.testing.LogCapture;
import io.tokenservice.server.testing.TestSecrets;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The interceptor over real Netty servers (plaintext and TLS with optional client certificates). */
class AuthenticationInterceptorTest {
    private static final String WEB_KEY = TestSecrets.register("tsk_test_web_key_0123456789abcdef");
    private static final String MOBILE_KEY = TestSecrets.register("tsk_test_mobile_key_0123456789abcd");
    private static final String WRONG_KEY = TestSecrets.register("tsk_test_wrong_key_0123456789abcde");

    private static LogCapture logs;
    private static TestPki pki;
    /** The credentials in force, as the caller-security wiring would swap them on a reload. */
    private static final AtomicReference<Authenticator.Snapshot> credentials = new AtomicReference<>();
    private static final List<AuditEvent> audit = new CopyOnWriteArrayList<>();
    private static final AtomicInteger handled = new AtomicInteger();
    private static final AtomicReference<Object> cachedVerdict = new AtomicReference<>();
    /** Runs after authentication and records the TLS session's cached verdict. */
    private static final ServerInterceptor sessionProbe = new ServerInterceptor() {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                ServerCallHandler<Q, R> next) {
            SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
            cachedVerdict.set(session == null ? null : session.getValue(Authenticator.SESSION_CACHE_KEY));
            return next.startCall(call, headers);
        }
    };
    private static Server plainServer;
    private static Server tlsServer;
    private static ManagedChannel plainChannel;

    @BeforeAll
    static void startServers() throws Exception {
        logs = LogCapture.all();
        pki = TestPki.get();
        use(keys(true), certificates(TestPki.KNOWN_SUBJECT));
        AuthenticationInterceptor interceptor = new AuthenticationInterceptor(new Authenticator(credentials::get), audit::add,
                Clock.systemUTC());
        HealthStatusManager health = new HealthStatusManager();

        plainServer = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(ServerInterceptors.intercept(new EchoCallerService(), interceptor))
                .addService(ServerInterceptors.intercept(health.getHealthService(), interceptor))
                .build()
                .start();
        ServerCredentials tls = TlsServerCredentials.newBuilder()
                .keyManager(pki.server.keyManagers())
                .trustManager(pki.trustManagers())
                .clientAuth(TlsServerCredentials.ClientAuth.OPTIONAL)
                .build();
        tlsServer = Grpc.newServerBuilderForPort(0, tls)
                .addService(ServerInterceptors.intercept(new EchoCallerService(), sessionProbe, interceptor))
                .build()
                .start();
        plainChannel = Grpc.newChannelBuilderForAddress("localhost", plainServer.getPort(),
                InsecureChannelCredentials.create()).build();
    }

    private static void use(ApiKeyRegistry keys, ClientCertificateMapping certificates) {
        credentials.set(new Authenticator.Snapshot(keys, certificates));
    }

    @AfterAll
    static void stopServersAndCheckLogs() throws Exception {
        try {
            plainChannel.shutdownNow();
            plainServer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            tlsServer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        } finally {
            logs.close();
        }
        for (String secret : List.of(WEB_KEY, MOBILE_KEY, WRONG_KEY)) {
            assertThat(logs.linesContaining(secret)).as("log lines containing an API key").isEmpty();
        }
        for (String cert : pki.certificateBase64()) {
            assertThat(logs.linesContaining(cert)).as("log lines containing a certificate").isEmpty();
        }
        assertThat(logs.linesContaining("BEGIN CERTIFICATE")).isEmpty();
    }

    @BeforeEach
    void reset() {
        use(keys(true), certificates(TestPki.KNOWN_SUBJECT));
        audit.clear();
    }

    private static ApiKeyRegistry keys(boolean withMobile) {
        ApiKeyRegistry.Builder b = ApiKeyRegistry.builder().addConfigHash("web", ApiKeyRegistry.configHash(WEB_KEY));
        if (withMobile) {
            b.addKey("mobile", MOBILE_KEY);
        }
        return b.build();
    }

    private static ClientCertificateMapping certificates(String subject) {
        return ClientCertificateMapping.builder().add(subject, "web-backend").build();
    }

    @Test
    void validKeyReachesTheHandlerAsItsCaller() {
        assertThat(call(plainChannel, bearer(WEB_KEY)).getAppId()).isEqualTo("web/API_KEY");
        assertThat(call(plainChannel, bearer(MOBILE_KEY)).getAppId()).isEqualTo("mobile/API_KEY");
        assertThat(call(plainChannel, "bEaReR   " + MOBILE_KEY + "  ").getAppId()).isEqualTo("mobile/API_KEY");
    }

    @Test
    void missingWrongOrMalformedCredentialsAreRefusedAlike() {
        int before = handled.get();
        List<StatusRuntimeException> failures = List.of(
                refused(plainChannel, null),
                refused(plainChannel, bearer(WRONG_KEY)),
                refused(plainChannel, bearer(WEB_KEY.substring(0, WEB_KEY.length() - 1))),
                refused(plainChannel, bearer(WEB_KEY + "x")),
                refused(plainChannel, "Basic " + WEB_KEY),
                refused(plainChannel, WEB_KEY),
                refused(plainChannel, "Bearer"),
                refused(plainChannel, "Bearer "),
                refused(plainChannel, "Bearer " + WEB_KEY + " " + WEB_KEY),
                refused(plainChannel, ""));
        for (StatusRuntimeException e : failures) {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(e.getStatus().getDescription()).isEqualTo(AuthenticationInterceptor.FAILURE_DESCRIPTION);
            assertThat(e.getStatus().getCause()).isNull();
            assertThat(e.getTrailers().keys()).allMatch(k -> !k.contains("auth") && !k.endsWith("-bin"));
        }
        assertThat(handled.get()).isEqualTo(before);
    }

    @Test
    void refusalsAreAuditedWithTheirPreciseReason() {
        refused(plainChannel, null);
        refused(plainChannel, bearer(WRONG_KEY));
        refused(plainChannel, "Basic x");
        assertThat(audit).hasSize(3);
        assertThat(audit).allSatisfy(e -> {
            assertThat(e.caller()).isEmpty();
            assertThat(e.grant()).isEmpty();
            assertThat(e.rpc()).isEqualTo(Rpc.ISSUE_RTC_TOKEN);
            assertThat(e.outcome()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(e.tokenSha256Prefix()).isEmpty();
        });
        assertThat(audit.stream().map(AuditEvent::reason)).containsExactly(
                Authenticator.Failure.NO_CREDENTIALS.reason(),
                Authenticator.Failure.UNKNOWN_API_KEY.reason(),
                Authenticator.Failure.MALFORMED_AUTHORIZATION.reason());
    }

    @Test
    void revokedKeyIsRefusedOnTheSameConnectionWhileOthersGoOn() {
        assertThat(call(plainChannel, bearer(MOBILE_KEY)).getAppId()).isEqualTo("mobile/API_KEY");
        use(keys(false), certificates(TestPki.KNOWN_SUBJECT));
        assertThat(refused(plainChannel, bearer(MOBILE_KEY)).getStatus().getCode())
                .isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(call(plainChannel, bearer(WEB_KEY)).getAppId()).isEqualTo("web/API_KEY");
        assertThat(plainChannel.getState(false)).isEqualTo(io.grpc.ConnectivityState.READY);
    }

    @Test
    void healthNeedsNoCredentials() {
        HealthCheckResponse r = HealthGrpc.newBlockingStub(plainChannel).check(HealthCheckRequest.getDefaultInstance());
        assertThat(r.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        assertThat(audit).isEmpty();
    }

    @Test
    void onlyHealthAndReflectionAreExempt() {
        assertThat(AuthenticationInterceptor.isExempt("grpc.health.v1.Health/Check")).isTrue();
        assertThat(AuthenticationInterceptor.isExempt("grpc.health.v1.Health/Watch")).isTrue();
        assertThat(AuthenticationInterceptor.isExempt("grpc.reflection.v1.ServerReflection/ServerReflectionInfo"))
                .isTrue();
        assertThat(AuthenticationInterceptor.isExempt(
                "grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo")).isTrue();
        assertThat(AuthenticationInterceptor.isExempt("tokenservice.v1.TokenService/IssueRtcToken")).isFalse();
        assertThat(AuthenticationInterceptor.isExempt("grpc.health.v1.HealthX/Check")).isFalse();
        assertThat(AuthenticationInterceptor.isExempt("grpc.health.v2.Health/Check")).isFalse();
        assertThat(AuthenticationInterceptor.isExempt("grpc.reflectionx.Foo/Bar")).isFalse();
        assertThat(AuthenticationInterceptor.isExempt("other.Service/Method")).isFalse();
        assertThat(AuthenticationInterceptor.isExempt("nonsense")).isFalse();
        assertThat(AuthenticationInterceptor.isExempt("grpc.health.v1.Health")).isFalse();
        assertThat(AuthenticationInterceptor.isExempt("grpc.health.v1.Health/Check/More")).isFalse();
        assertThat(AuthenticationInterceptor.isExempt("tokenservice.v1/grpc.reflection.v1.X/Y")).isFalse();
    }

    @Test
    void mutualTlsWithAMappedCertificateNamesTheCaller() throws Exception {
        ManagedChannel ch = tlsChannel(pki.knownClient);
        try {
            assertThat(call(ch, null).getAppId()).isEqualTo("web-backend/MUTUAL_TLS");
            assertThat(call(ch, null).getAppId()).isEqualTo("web-backend/MUTUAL_TLS");
            assertThat(cachedVerdict.get()).as("the verdict is cached in the TLS session").isNotNull();
        } finally {
            ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aBearerKeyDecidesEvenWithACertificate() throws Exception {
        ManagedChannel ch = tlsChannel(pki.knownClient);
        try {
            assertThat(call(ch, bearer(MOBILE_KEY)).getAppId()).isEqualTo("mobile/API_KEY");
            assertThat(refused(ch, bearer(WRONG_KEY)).getStatus().getDescription())
                    .isEqualTo(AuthenticationInterceptor.FAILURE_DESCRIPTION);
        } finally {
            ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void tlsWithoutClientCertificateNeedsAKey() throws Exception {
        ManagedChannel ch = tlsChannel(null);
        try {
            StatusRuntimeException e = refused(ch, null);
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(e.getStatus().getDescription()).isEqualTo(AuthenticationInterceptor.FAILURE_DESCRIPTION);
            assertThat(audit.get(audit.size() - 1).reason()).isEqualTo(Authenticator.Failure.NO_CREDENTIALS.reason());
            assertThat(call(ch, bearer(WEB_KEY)).getAppId()).isEqualTo("web/API_KEY");
        } finally {
            ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aTrustedButUnmappedCertificateIsRefused() throws Exception {
        ManagedChannel ch = tlsChannel(pki.unknownClient);
        try {
            StatusRuntimeException e = refused(ch, null);
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(e.getStatus().getDescription()).isEqualTo(AuthenticationInterceptor.FAILURE_DESCRIPTION);
            assertThat(audit.get(audit.size() - 1).reason())
                    .isEqualTo(Authenticator.Failure.UNKNOWN_CERTIFICATE.reason());
        } finally {
            ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aSelfSignedCertificateWithAMappedSubjectNeverReachesTheHandler() throws Exception {
        int before = handled.get();
        ManagedChannel ch = tlsChannel(pki.untrustedClient);
        try {
            StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> call(ch, null));
            assertThat(e).isNotNull();
            assertThat(e.getStatus().getCode()).isIn(Status.Code.UNAVAILABLE, Status.Code.UNAUTHENTICATED);
            assertThat(handled.get()).isEqualTo(before);
        } finally {
            ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void certificateMappingChangesApplyToOpenConnections() throws Exception {
        ManagedChannel ch = tlsChannel(pki.knownClient);
        try {
            assertThat(call(ch, null).getAppId()).isEqualTo("web-backend/MUTUAL_TLS");
            use(keys(true), certificates("cn:web-backend"));
            assertThat(call(ch, null).getAppId()).isEqualTo("web-backend/MUTUAL_TLS");
            use(keys(true), ClientCertificateMapping.empty());
            assertThat(refused(ch, null).getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
            use(keys(true), certificates(TestPki.KNOWN_SUBJECT));
            assertThat(call(ch, null).getAppId()).isEqualTo("web-backend/MUTUAL_TLS");
        } finally {
            ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void plaintextKeysAreNotPartOfTheRegistry() {
        ApiKeyRegistry registry = keys(true);
        assertThat(registry.toString()).doesNotContain(WEB_KEY).doesNotContain(MOBILE_KEY);
        assertThatThrownBy(() -> ApiKeyRegistry.builder().addConfigHash("web", WEB_KEY))
                .hasMessageNotContaining(WEB_KEY);
    }

    private static ManagedChannel tlsChannel(TestPki.Identity client) {
        TlsChannelCredentials.Builder creds = TlsChannelCredentials.newBuilder().trustManager(pki.trustManagers());
        if (client != null) {
            creds.keyManager(client.keyManagers());
        }
        ChannelCredentials c = creds.build();
        return Grpc.newChannelBuilderForAddress("localhost", tlsServer.getPort(), c).build();
    }

    private static String bearer(String key) {
        return "Bearer " + key;
    }

    private static IssuedToken call(ManagedChannel channel, String authorization) {
        TokenServiceGrpc.TokenServiceBlockingStub stub = TokenServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS);
        if (authorization != null) {
            stub = stub.withCallCredentials(BearerHeader.raw(authorization));
        }
        return stub.issueRtcToken(IssueRtcTokenRequest.newBuilder().setChannel("c").build());
    }

    private static StatusRuntimeException refused(ManagedChannel channel, String authorization) {
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> call(channel, authorization));
        assertThat(e).as("call with authorization " + (authorization == null ? "none" : "present")).isNotNull();
        return e;
    }

    /** Answers with the authenticated caller in app_id, so tests see who the handler saw. */
    static final class EchoCallerService extends TokenServiceGrpc.TokenServiceImplBase {
        @Override
        public void issueRtcToken(IssueRtcTokenRequest request, StreamObserver<IssuedToken> response) {
            handled.incrementAndGet();
            Caller caller = CallerContext.current();
            response.onNext(IssuedToken.newBuilder().setAppId(caller.name() + "/" + caller.method()).build());
            response.onCompleted();
        }
    }
}
