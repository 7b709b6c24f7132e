package io.tokenservice.benchmarks;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.tokenservice.core.issue.RtcRole;
import io.tokenservice.proto.v1.IssueRtcTokenRequest;
import io.tokenservice.proto.v1.IssuedToken;
import io.tokenservice.proto.v1.TokenServiceGrpc;
import io.tokenservice.server.TokenServer;
import io.tokenservice.server.access.AuditEvent;
import io.tokenservice.server.access.AuditSink;
import io.tokenservice.server.access.Caller;
import io.tokenservice.server.access.EndUser;
import io.tokenservice.server.access.GrantRequest;
import io.tokenservice.server.access.RequestedService;
import io.tokenservice.server.access.Rpc;
import io.tokenservice.server.access.ServiceKind;
import io.tokenservice.server.audit.AsyncAuditSink;
import io.tokenservice.server.audit.JsonAuditSink;
import io.tokenservice.server.metrics.ServerMetrics;
import io.tokenservice.server.auth.ApiKeyRegistry;
import io.tokenservice.server.auth.AuthenticationInterceptor;
import io.tokenservice.server.auth.Authenticator;
import io.tokenservice.server.auth.ClientCertificateMapping;
import io.tokenservice.server.auth.JwksKeys;
import io.tokenservice.server.auth.JwksSource;
import io.tokenservice.server.auth.JwtIssuer;
import io.tokenservice.server.auth.JwtVerifier;
import io.tokenservice.server.config.DenyListSettings;
import io.tokenservice.server.config.SecuritySettings;
import io.tokenservice.server.config.ServerConfig;
import io.tokenservice.server.denylist.DenyList;
import io.tokenservice.server.policy.CallerPolicy;
import io.tokenservice.server.policy.ClaimBinding;
import io.tokenservice.server.policy.GlobList;
import io.tokenservice.server.policy.PolicyGate;
import io.tokenservice.server.ratelimit.RateLimit;
import io.tokenservice.server.security.CallerSecurity;
import io.tokenservice.server.transport.HeaderListLimit;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Logger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What caller authentication and policy cost per call (average time, single thread):
 * <ol>
 *   <li>{@code authenticateBearer}: {@link Authenticator#authenticate} of an {@code authorization: Bearer <key>}
 *       value against 2 and 50 stored keys (one SHA-256 plus one constant-time comparison per stored key);</li>
 *   <li>{@code authenticateJwt}: the same for an end user's {@code Bearer <JWT>} (RS256 with a 2048-bit key, or
 *       ES256 on P-256) against a JWK set of both keys: with {@code cache=off} every call parses the token, picks
 *       the key, checks the signature and the claims; with {@code cache=on} (the server's setting) the same token
 *       is found among the verified ones and only its expiry is judged;</li>
 *   <li>{@code policyCheck}: {@link PolicyGate#check} of an allowed RTC grant against channel and identity
 *       globs; {@code policyCheckBound}: the same grant by an end user whose identity and channel are bound to
 *       token claims ({@code bind.identity: sub}, {@code bind.channels: ["team-{team}-*"]});</li>
 *   <li>{@code composedGate}: {@link CallerSecurity} as a call meets it: admission when the call
 *       starts (rate limit, never refusing, and may the caller call the RPC), the app the request names, and
 *       the whole grant (policy and a deny-list of {@value #DENY_ENTRIES} entries);</li>
 *   <li>{@code roundTrip*}: one IssueRtcToken over an in-process channel (direct executors on both sides,
 *       so the whole call runs on the benchmark thread) through a real {@link TokenServer}: anonymous
 *       without audit, anonymous with the JSON audit sink, and secured the way {@code SecuredServer} wires
 *       it (authentication interceptor, access gate, audit sink, per-caller maximum TTL). Secured minus
 *       anonymous-with-audit is the per-call cost of authentication + policy + rate limit + deny-list,
 *       interceptor and the client's header included; anonymous-with-audit minus anonymous is the audit
 *       line;</li>
 *   <li>{@code auditJsonLine}/{@code auditRecordSilent}: the JSON audit line of one issued token alone,
 *       and the real {@link JsonAuditSink#record} into a logger with no handlers (the line and the
 *       LogRecord are built, nothing is printed).</li>
 * </ol>
 * Every audit sink here logs to a logger without handlers that does not use its parent's, so nothing
 * reaches the console during a run.
 *
 * <p>The rate limit of {@code composedGate} is the largest allowed ({@value RateLimit#MAX_PER_SECOND}/s,
 * burst {@value RateLimit#MAX_BURST}); since the gate alone runs faster than that, its clock is
 * {@code System.nanoTime() << 6} (64 times fast), so the bucket arithmetic runs as in production and never
 * refuses. The round trips use the system clock, as the server does.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar CallerSecurityBenchmarks -f 1 -wi 3 -w 1s -i 5
 * -r 1s -bm avgt -tu ns}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CallerSecurityBenchmarks {
    static final String APP_ID = TokenBenchmarks.APP_ID;
    static final String APP_CERTIFICATE = TokenBenchmarks.APP_CERTIFICATE;
    static final String CALLER = "web";
    static final String KEY = "tsk_benchmark_key_web_00000000000000000000000";
    static final String OTHER_CALLER = "mobile";
    static final String CHANNEL = "team-blue-7";
    static final long UID = 1_234_567L;
    static final long TTL = 3600;
    static final int DENY_ENTRIES = 1000;

    /** The policy of the benchmark caller: one app, RTC only, channel and identity globs, publisher. */
    static CallerPolicy policy() {
        return new CallerPolicy(
                GlobList.of(List.of(APP_ID)),
                EnumSet.of(ServiceKind.RTC, ServiceKind.RTM),
                GlobList.of(List.of("lobby", "support-*", "*-archive", "room-??-*", "team-*")),
                GlobList.of(List.of("user-*", "guest-?", "1*")),
                EnumSet.of(RtcRole.PUBLISHER, RtcRole.SUBSCRIBER),
                TTL, false, false, true, false);
    }

    /** What IssueRtcToken of CHANNEL/UID as publisher hands the gate. */
    static GrantRequest grant() {
        return new GrantRequest(Rpc.ISSUE_RTC_TOKEN, APP_ID,
                List.of(RequestedService.rtc(CHANNEL, Long.toString(UID), RtcRole.PUBLISHER)), TTL);
    }

    static IssueRtcTokenRequest rtcRequest() {
        return IssueRtcTokenRequest.newBuilder()
                .setChannel(CHANNEL)
                .setUid((int) UID)
                .setRole(io.tokenservice.proto.v1.RtcRole.RTC_ROLE_PUBLISHER)
                .build();
    }

    /** A logger that drops everything it is given: no handlers, not forwarding to its parent's. */
    static Logger silentLogger() {
        Logger logger = Logger.getAnonymousLogger();
        logger.setUseParentHandlers(false);
        for (Handler h : logger.getHandlers()) {
            logger.removeHandler(h);
        }
        return logger;
    }

    /** Keys for CALLER (its own KEY among them) and OTHER_CALLER, {@code keys} in all. */
    static ApiKeyRegistry registry(int keys) {
        ApiKeyRegistry.Builder b = ApiKeyRegistry.builder().addKey(CALLER, KEY);
        for (int i = 1; i < keys; i++) {
            b.addKey(i % 2 == 0 ? CALLER : OTHER_CALLER, String.format("tsk_benchmark_key_%s_%026d",
                    i % 2 == 0 ? CALLER : OTHER_CALLER, i));
        }
        ApiKeyRegistry registry = b.build();
        if (registry.size() != keys) {
            throw new IllegalStateException("registry has " + registry.size() + " keys, not " + keys);
        }
        return registry;
    }

    static SecuritySettings securitySettings(int keys, RateLimit limit, Path denyList) throws IOException {
        Map<String, CallerPolicy> policies = new LinkedHashMap<>();
        policies.put(CALLER, policy());
        policies.put(OTHER_CALLER, CallerPolicy.quickStart());
        return new SecuritySettings(registry(keys), ClientCertificateMapping.empty(), policies,
                Map.of(CALLER, limit), RateLimit.DEFAULT,
                new DenyListSettings(Optional.of(denyList), DenyList.read(denyList), Duration.ofSeconds(3600)));
    }

    /** A deny-list file of DENY_ENTRIES entries (half uids, half channels), none matching the grant. */
    static Path denyListFile() throws IOException {
        StringBuilder b = new StringBuilder("# benchmark deny-list\n");
        for (int i = 0; i < DENY_ENTRIES / 2; i++) {
            b.append("uid:").append(2_000_000 + i).append('\n');
            b.append("channel:team-red-").append(i).append('\n');
        }
        Path file = Files.createTempFile("benchmark-deny-list", ".txt");
        Files.writeString(file, b.toString(), StandardCharsets.UTF_8);
        file.toFile().deleteOnExit();
        return file;
    }

    // ---- (1) authentication ----

    @State(Scope.Thread)
    public static class AuthState {
        @Param({"2", "50"})
        public int storedKeys;

        Authenticator authenticator;
        final String header = "Bearer " + KEY;

        @Setup
        public void setUp() {
            authenticator = new Authenticator(registry(storedKeys), ClientCertificateMapping.empty());
            Authenticator.Result r = authenticator.authenticate(header, null);
            if (!r.authenticated() || !r.caller().orElseThrow().name().equals(CALLER)) {
                throw new IllegalStateException("benchmark set-up: key not accepted");
            }
        }
    }

    @Benchmark
    public Authenticator.Result authenticateBearer(AuthState s) {
        return s.authenticator.authenticate(s.header, null);
    }

    @State(Scope.Thread)
    public static class JwtState {
        @Param({"RS256", "ES256"})
        public String algorithm;

        @Param({"off", "on"})
        public String cache;

        Authenticator authenticator;
        String header;

        @Setup
        public void setUp() throws Exception {
            RSAKey rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
            ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
            JwksKeys keys = JwksKeys.parse(new JWKSet(List.<JWK>of(rsa.toPublicJWK(), ec.toPublicJWK())).toString());
            Instant now = Instant.parse("2026-01-01T00:00:00Z");
            JwtIssuer issuer = new JwtIssuer("https://login.example/", Set.of("token-service"),
                    JwtIssuer.DEFAULT_ALGORITHMS, JwtIssuer.DEFAULT_CLOCK_SKEW,
                    new JwksSource.File(Path.of("jwks.json"), keys));
            JwtVerifier verifier = JwtVerifier.of(List.of(new JwtVerifier.Issuer("end-user", issuer, () -> keys)),
                    cache.equals("on") ? JwtVerifier.DEFAULT_CACHE_SIZE : 0);
            Authenticator.Snapshot snapshot = new Authenticator.Snapshot(registry(2), ClientCertificateMapping.empty(),
                    verifier, Optional.empty());
            authenticator = new Authenticator(() -> snapshot, Clock.fixed(now, java.time.ZoneOffset.UTC));
            JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer("https://login.example/").audience("token-service")
                    .subject("1234567").claim("team", "blue").issueTime(Date.from(now))
                    .expirationTime(Date.from(now.plusSeconds(3600))).build();
            boolean byRsa = algorithm.equals("RS256");
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.parse(algorithm))
                    .keyID(byRsa ? "rsa-1" : "ec-1").build(), claims);
            jwt.sign(byRsa ? new RSASSASigner(rsa) : new ECDSASigner(ec));
            header = "Bearer " + jwt.serialize();
            Authenticator.Result r = authenticator.authenticate(header, null);
            if (!r.authenticated() || !r.caller().orElseThrow().endUser().orElseThrow().subject().equals("1234567")) {
                throw new IllegalStateException("benchmark set-up: JWT not accepted " + r.failure());
            }
        }
    }

    @Benchmark
    public Authenticator.Result authenticateJwt(JwtState s) {
        return s.authenticator.authenticate(s.header, null);
    }

    // ---- (2) policy, (3) composed gate ----

    @State(Scope.Thread)
    public static class GateState {
        final Caller caller = new Caller(CALLER, Caller.AuthMethod.API_KEY);
        final GrantRequest grant = grant();
        PolicyGate policyGate;
        CallerSecurity composed;

        @Setup
        public void setUp() throws IOException {
            policyGate = new PolicyGate(Map.of(CALLER, policy(), OTHER_CALLER, CallerPolicy.quickStart()));
            RateLimit generous = new RateLimit(RateLimit.MAX_PER_SECOND, RateLimit.MAX_BURST);
            composed = new CallerSecurity(securitySettings(2, generous, denyListFile()),
                    new JsonAuditSink(silentLogger()), Clock.systemUTC(), () -> System.nanoTime() << 6);
            int entries = composed.settings().denyList().entries().size();
            if (entries != DENY_ENTRIES) {
                throw new IllegalStateException("benchmark set-up: deny-list has " + entries + " entries");
            }
            policyGate.check(caller, grant);
            composed.check(caller, grant);
            // the gates do refuse: a denied channel and a channel outside the globs
            expectDenied(() -> composed.check(caller, new GrantRequest(Rpc.ISSUE_RTC_TOKEN, APP_ID,
                    List.of(RequestedService.rtc("team-red-7", Long.toString(UID), RtcRole.PUBLISHER)), TTL)));
            expectDenied(() -> policyGate.check(caller, new GrantRequest(Rpc.ISSUE_RTC_TOKEN, APP_ID,
                    List.of(RequestedService.rtc("other", Long.toString(UID), RtcRole.PUBLISHER)), TTL)));
        }
    }

    static void expectDenied(Runnable check) {
        try {
            check.run();
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.PERMISSION_DENIED) {
                return;
            }
            throw e;
        }
        throw new IllegalStateException("benchmark set-up: a grant that must be refused passed");
    }

    @Benchmark
    public GrantRequest policyCheck(GateState s) {
        s.policyGate.check(s.caller, s.grant);
        return s.grant;
    }

    @State(Scope.Thread)
    public static class BoundGateState {
        final Caller user = new Caller("end-user", Caller.AuthMethod.JWT, Optional.of(new EndUser(
                "https://login.example/", Long.toString(UID), Map.of("sub", Long.toString(UID), "team", "blue"))));
        final GrantRequest grant = grant();
        PolicyGate policyGate;

        @Setup
        public void setUp() {
            ClaimBinding binding = new ClaimBinding(Optional.of("sub"),
                    List.of(ClaimBinding.ChannelTemplate.parse("team-{team}-*")), Optional.empty());
            policyGate = new PolicyGate(Map.of("end-user", policy()), Map.of("end-user", binding));
            policyGate.check(user, grant);
            expectDenied(() -> policyGate.check(user, new GrantRequest(Rpc.ISSUE_RTC_TOKEN, APP_ID,
                    List.of(RequestedService.rtc("team-red-7", Long.toString(UID), RtcRole.PUBLISHER)), TTL)));
        }
    }

    @Benchmark
    public GrantRequest policyCheckBound(BoundGateState s) {
        s.policyGate.check(s.user, s.grant);
        return s.grant;
    }

    @Benchmark
    public GrantRequest composedGate(GateState s) {
        s.composed.admit(s.caller, s.grant.rpc());
        s.composed.admitApp(s.caller, s.grant.rpc(), s.grant.appId());
        s.composed.check(s.caller, s.grant);
        return s.grant;
    }

    // ---- (4) end to end, in-process ----

    /** One in-process TokenServer and a direct-executor channel to it. */
    abstract static class ServerState {
        TokenServer server;
        ManagedChannel channel;
        TokenServiceGrpc.TokenServiceBlockingStub stub;
        final IssueRtcTokenRequest request = rtcRequest();

        ServerConfig.Builder baseConfig() {
            return ServerConfig.builder().app(APP_ID, APP_CERTIFICATE).shutdownGrace(Duration.ofSeconds(1));
        }

        void start(ServerConfig config) {
            String name = "caller-security-benchmark-" + UUID.randomUUID();
            server = TokenServer.startInProcess(name, config);
            channel = InProcessChannelBuilder.forName(name).directExecutor().build();
            stub = TokenServiceGrpc.newBlockingStub(channel);
        }

        void checkIssues(TokenServiceGrpc.TokenServiceBlockingStub s) {
            IssuedToken t = s.issueRtcToken(request);
            if (!t.getToken().startsWith("007")) {
                throw new IllegalStateException("benchmark set-up: no token issued");
            }
        }

        @TearDown
        public void stop() throws InterruptedException {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.close();
        }
    }

    @State(Scope.Thread)
    public static class AnonymousServer extends ServerState {
        @Setup
        public void setUp() {
            start(baseConfig().build());
            checkIssues(stub);
        }
    }

    @State(Scope.Thread)
    public static class AnonymousAuditedServer extends ServerState {
        @Setup
        public void setUp() {
            start(baseConfig().auditSink(new JsonAuditSink(silentLogger())).build());
            checkIssues(stub);
        }
    }

    /** Wired as SecuredServer does: CallerSecurity (interceptor, gate, audit sink, max TTL) wired into the server. */
    @State(Scope.Thread)
    public static class SecuredServerState extends ServerState {
        @Setup
        public void setUp() throws IOException {
            startSecured(new JsonAuditSink(silentLogger()), config -> config);
        }

        void startSecured(AuditSink audit, UnaryOperator<ServerConfig.Builder> more) throws IOException {
            CallerSecurity security = new CallerSecurity(securitySettings(2,
                    new RateLimit(RateLimit.MAX_PER_SECOND, RateLimit.MAX_BURST), denyListFile()), audit);
            start(more.apply(security.wire(baseConfig())).build());
            TokenServiceGrpc.TokenServiceBlockingStub anonymous = stub;
            Metadata headers = new Metadata();
            headers.put(AuthenticationInterceptor.AUTHORIZATION, "Bearer " + KEY);
            stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
            checkIssues(stub);
            try {
                anonymous.issueRtcToken(request);
                throw new IllegalStateException("benchmark set-up: a call without credentials passed");
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.UNAUTHENTICATED) {
                    throw e;
                }
            }
        }
    }

    /**
     * Wired as SecuredServer does since the audit left the call path: the metrics (per-RPC timer, decision
     * counters) around the audit queue ({@link AsyncAuditSink}), whose thread writes the JSON lines.
     */
    @State(Scope.Thread)
    public static class SecuredObservedServerState extends SecuredServerState {
        ServerMetrics metrics;
        AsyncAuditSink queue;

        @Setup
        @Override
        public void setUp() throws IOException {
            metrics = new ServerMetrics();
            queue = new AsyncAuditSink(new JsonAuditSink(silentLogger()), AsyncAuditSink.DEFAULT_CAPACITY);
            metrics.auditQueue(queue);
            startSecured(metrics.decisions(queue), config -> config.observer(metrics.rpcs()));
        }

        @TearDown
        public void stopQueue() {
            queue.close();
            metrics.close();
        }
    }

    @Benchmark
    public IssuedToken roundTripAnonymous(AnonymousServer s) {
        return s.stub.issueRtcToken(s.request);
    }

    @Benchmark
    public IssuedToken roundTripAnonymousAudited(AnonymousAuditedServer s) {
        return s.stub.issueRtcToken(s.request);
    }

    @Benchmark
    public IssuedToken roundTripSecured(SecuredServerState s) {
        return s.stub.issueRtcToken(s.request);
    }

    @Benchmark
    public IssuedToken roundTripSecuredObserved(SecuredObservedServerState s) {
        return s.stub.issueRtcToken(s.request);
    }

    // ---- (5) the request's metadata size, as the header list limit measures it ----

    @State(Scope.Thread)
    public static class HeadersState {
        /** What a grpc-java client with an API key sends, as the server sees it. */
        final Metadata headers = new Metadata();

        @Setup
        public void setUp() {
            headers.put(Metadata.Key.of("user-agent", Metadata.ASCII_STRING_MARSHALLER), "grpc-java-netty/1.85.1");
            headers.put(Metadata.Key.of("grpc-accept-encoding", Metadata.ASCII_STRING_MARSHALLER), "gzip");
            headers.put(AuthenticationInterceptor.AUTHORIZATION, "Bearer " + KEY);
            headers.put(Metadata.Key.of("grpc-timeout", Metadata.ASCII_STRING_MARSHALLER), "9999837u");
        }
    }

    @Benchmark
    public long headerListSize(HeadersState s) {
        return HeaderListLimit.size(s.headers);
    }

    // ---- (6) the audit line ----

    @State(Scope.Thread)
    public static class AuditState {
        final JsonAuditSink sink = new JsonAuditSink(silentLogger());
        final AuditEvent event = new AuditEvent(Instant.parse("2025-01-02T03:04:05.678Z"),
                Optional.of(new Caller(CALLER, Caller.AuthMethod.API_KEY)), Rpc.ISSUE_RTC_TOKEN, Optional.of(grant()),
                Status.Code.OK, "issued", Optional.of("3f5a0c1e9b7d2468"));
    }

    @Benchmark
    public String auditJsonLine(AuditState s) {
        return JsonAuditSink.toJson(s.event);
    }

    @Benchmark
    public AuditEvent auditRecordSilent(AuditState s) {
        s.sink.record(s.event);
        return s.event;
    }
}
