package io.tokenservice.server.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.rpc.RetryInfo;
import io.grpc.ConnectivityState;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import io.tokenservice.core.issue.ChatTokenRequest;
import io.tokenservice.core.issue.RtcIdentity;
import io.tokenservice.core.issue.RtcRole;
import io.tokenservice.core.issue.RtcTokenRequest;
import io.tokenservice.core.issue.RtmTokenRequest;
import io.tokenservice.core.issue.TokenIssuer;
import io.tokenservice.core.token.AccessToken2;
import io.tokenservice.core.token.AccessToken2Codec;
import io.tokenservice.core.token.AppCredentials;
import io.tokenservice.core.token.Service;
import io.tokenservice.proto.v1.ChatAppToken;
import io.tokenservice.proto.v1.IssueChatTokenRequest;
import io.tokenservice.proto.v1.IssueRtcTokenRequest;
import io.tokenservice.proto.v1.IssueRtmTokenRequest;
import io.tokenservice.proto.v1.IssuedToken;
import io.tokenservice.proto.v1.RenewTokenRequest;
import io.tokenservice.proto.v1.TokenServiceGrpc;
import io.tokenservice.server.access.AccessGate;
import io.tokenservice.server.access.AuditEvent;
import io.tokenservice.server.access.AuditSink;
import io.tokenservice.server.access.CallerContext;
import io.tokenservice.server.access.GrantRequest;
import io.tokenservice.server.access.RequestedService;
import io.tokenservice.server.access.Rpc;
import io.tokenservice.server.audit.JsonAuditSink;
import io.tokenservice.server.auth.ApiKeyRegistry;
import io.tokenservice.server.auth.AuthenticationInterceptor;
import io.tokenservice.server.auth.BearerHeader;
import io.tokenservice.server.testing.LogCapture;
import io.tokenservice.server.testing.TestSecrets;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The whole security layer over a real Netty server, with a stand-in TokenService that calls the access
 * seam in the server's order (describe the grant, {@code accessGate.admit}, {@code admitApp}, {@code check},
 * sign, {@code auditSink.record}) and signs real 007 tokens.
 */
class SecurityLayerServerTest {
    private static final String APP_ID = "0123456789abcdef0123456789abcdef";
    private static final String APP_CERTIFICATE = TestSecrets.register("fedcba9876543210fedcba9876543210");
    private static final String WEB_KEY = TestSecrets.register("tsk_web_key_for_tests_only_0001");
    private static final String LIMITED_KEY = TestSecrets.register("tsk_limited_key_for_tests_0002");
    private static final String WILD_KEY = TestSecrets.register("tsk_wild_key_for_tests_only_003");
    private static final long SECOND = 1_000_000_000L;

    private static Path dir;
    private static Path denyFile;
    private static LogCapture logs;
    private static final AtomicLong nanos = new AtomicLong();
    private static final List<String> issuedTokens = new CopyOnWriteArrayList<>();
    private static final List<AuditEvent> auditEvents = new CopyOnWriteArrayList<>();
    private static ScheduledExecutorService scheduler;
    private static SecurityLayer security;
    private static Server server;
    private static ManagedChannel channel;

    static String yaml(String webChannels, boolean webKeyPresent) {
        return """
                security:
                  callers:
                    web:
                      api_keys: [%s]
                      apps: ["%s"]
                      services: [rtc, rtm]
                      channels: [%s]
                      identities: ["user-*", "1*"]
                      roles: [subscriber]
                      max_ttl_seconds: 3600
                      may_renew: true
                      rate_limit: {per_second: 1000, burst: 1000}
                    limited:
                      api_keys: ["%s"]
                      apps: ["*"]
                      services: [rtm]
                      rate_limit: {per_second: 1, burst: 2}
                    wild:
                      api_keys: ["%s"]
                      apps: ["*"]
                      services: [rtc, chat]
                      channels: ["*"]
                      roles: [publisher, subscriber]
                      allow_wildcard: true
                      allow_chat_app_token: true
                      max_ttl_seconds: 86400
                  deny_list:
                    path: deny-list.txt
                    poll_interval_seconds: 1
                """.formatted(webKeyPresent ? "\"" + ApiKeyRegistry.configHash(WEB_KEY) + "\"" : "", APP_ID,
                webChannels, ApiKeyRegistry.configHash(LIMITED_KEY), ApiKeyRegistry.configHash(WILD_KEY));
    }

    static SecurityConfig config(String webChannels, boolean webKeyPresent) {
        return SecurityConfig.fromYaml(SecurityConfigTest.section(yaml(webChannels, webKeyPresent)), dir);
    }

    @BeforeAll
    static void start() throws Exception {
        logs = LogCapture.all();
        dir = Files.createTempDirectory("security-layer-test");
        denyFile = dir.resolve("deny-list.txt");
        Files.writeString(denyFile, "# empty\n");
        scheduler = Executors.newSingleThreadScheduledExecutor();
        JsonAuditSink json = new JsonAuditSink();
        AuditSink audit = event -> {
            json.record(event);
            auditEvents.add(event);
        };
        security = SecurityLayer.start(config("\"team-*\"", true), audit, Clock.systemUTC(), nanos::get, scheduler);
        server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(ServerInterceptors.intercept(new StandInTokenService(security.accessGate(), audit),
                        security.interceptor()))
                .build()
                .start();
        channel = Grpc.newChannelBuilderForAddress("localhost", server.getPort(), InsecureChannelCredentials.create())
                .build();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            channel.shutdownNow();
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            security.close();
            scheduler.shutdownNow();
        } finally {
            logs.close();
        }
        assertThat(issuedTokens).isNotEmpty();
        List<String> secrets = new ArrayList<>(List.of(WEB_KEY, LIMITED_KEY, WILD_KEY, APP_CERTIFICATE));
        for (String token : issuedTokens) {
            secrets.add(token);
            secrets.add(token.substring(3, 40)); // any sizeable piece of a token
        }
        for (String secret : secrets) {
            assertThat(logs.linesContaining(secret)).as("log lines containing a secret").isEmpty();
        }
        List<String> auditLines = logs.lines().stream().filter(l -> l.contains("{\"time\":")).toList();
        assertThat(auditLines).hasSizeGreaterThanOrEqualTo(auditEvents.size());
    }

    @BeforeEach
    void reset() throws Exception {
        security.reload(config("\"team-*\"", true));
        replace(denyFile, "# empty\n");
        assertThat(security.reloadDenyList()).isTrue();
        nanos.addAndGet(100 * SECOND);
        auditEvents.clear();
    }

    private static TokenServiceGrpc.TokenServiceBlockingStub as(String key) {
        return TokenServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .withCallCredentials(BearerHeader.bearer(key));
    }

    private static IssueRtcTokenRequest rtc(String channelName, String account, io.tokenservice.proto.v1.RtcRole role,
            int ttl) {
        return IssueRtcTokenRequest.newBuilder().setAppId(APP_ID).setChannel(channelName).setAccount(account)
                .setRole(role).setTtlSeconds(ttl).build();
    }

    private static IssueRtcTokenRequest subscriber(String channelName, String account) {
        return rtc(channelName, account, io.tokenservice.proto.v1.RtcRole.RTC_ROLE_SUBSCRIBER, 600);
    }

    private static StatusRuntimeException refused(Runnable call) {
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call::run);
        assertThat(e).as("expected a refusal").isNotNull();
        return e;
    }

    private static String denial(Runnable call) {
        StatusRuntimeException e = refused(call);
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        return e.getStatus().getDescription();
    }

    @Test
    void allowedIssueIsSignedAndAuditedByHashOnly() throws Exception {
        IssuedToken t = as(WEB_KEY).issueRtcToken(subscriber("team-red", "user-1"));
        assertThat(t.getToken()).startsWith("007");
        assertThat(auditEvents).hasSize(1);
        AuditEvent e = auditEvents.get(0);
        assertThat(e.outcome()).isEqualTo(Status.Code.OK);
        assertThat(e.caller().orElseThrow().name()).isEqualTo("web");
        assertThat(e.tokenSha256Prefix()).contains(sha256Prefix(t.getToken()));
        String prefix = sha256Prefix(t.getToken());
        assertThat(logs.lines()).anyMatch(l -> l.contains("\"token_sha256\":\"" + prefix + "\""));
    }

    @Test
    void noOrWrongCredentialsOverTheWire() {
        StatusRuntimeException none = refused(() -> TokenServiceGrpc.newBlockingStub(channel)
                .issueRtcToken(subscriber("team-red", "user-1")));
        StatusRuntimeException wrong = refused(() -> as("tsk_not_a_key_of_anyone_000").issueRtcToken(
                subscriber("team-red", "user-1")));
        for (StatusRuntimeException e : List.of(none, wrong)) {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(e.getStatus().getDescription()).isEqualTo(AuthenticationInterceptor.FAILURE_DESCRIPTION);
        }
        assertThat(auditEvents).extracting(AuditEvent::outcome).containsOnly(Status.Code.UNAUTHENTICATED);
    }

    @Test
    void eachPolicyRuleRefusesOverTheWire() {
        assertThat(denial(() -> as(WEB_KEY).issueRtcToken(subscriber("x", "user-1"))))
                .isEqualTo("policy of caller 'web': channel 'x' matches none of [team-*]");
        assertThat(denial(() -> as(WEB_KEY).issueRtcToken(subscriber("team-red", "admin"))))
                .isEqualTo("policy of caller 'web': identity 'admin' matches none of [user-*, 1*]");
        assertThat(denial(() -> as(WEB_KEY).issueRtcToken(rtc("team-red", "user-1",
                io.tokenservice.proto.v1.RtcRole.RTC_ROLE_PUBLISHER, 600))))
                .isEqualTo("policy of caller 'web': role publisher is not allowed (roles: [subscriber])");
        assertThat(denial(() -> as(WEB_KEY).issueRtcToken(rtc("team-red", "user-1",
                io.tokenservice.proto.v1.RtcRole.RTC_ROLE_SUBSCRIBER, 7200))))
                .isEqualTo("policy of caller 'web': ttl 7200 s exceeds max_ttl_seconds 3600");
        assertThat(denial(() -> as(WEB_KEY).issueRtcToken(subscriber("team-red", "user-1").toBuilder()
                .setAppId("ffffffffffffffffffffffffffffffff").build())))
                .isEqualTo("policy of caller 'web': app 'ffffffffffffffffffffffffffffffff' matches none of [" + APP_ID
                        + "]");
        assertThat(denial(() -> as(WEB_KEY).issueChatToken(IssueChatTokenRequest.newBuilder().setAppId(APP_ID)
                .setUserId("user-1").build())))
                .isEqualTo("policy of caller 'web': service chat is not allowed (services: [rtc, rtm])");
        assertThat(denial(() -> as(LIMITED_KEY).issueRtcToken(subscriber("team-red", "user-1"))))
                .isEqualTo("policy of caller 'limited': service rtc is not allowed (services: [rtm])");
        assertThat(auditEvents).hasSize(7).allSatisfy(e -> {
            assertThat(e.outcome()).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(e.reason()).startsWith("policy of caller");
            assertThat(e.tokenSha256Prefix()).isEmpty();
        });
        // and the same rules allow what they name
        as(WEB_KEY).issueRtcToken(subscriber("team-red", "user-1"));
        as(WEB_KEY).issueRtcToken(subscriber("team-blue", "12345"));
        as(WEB_KEY).issueRtcToken(subscriber("team-red", "user-1").toBuilder().setIncludeRtm(true).build());
        as(WILD_KEY).issueChatToken(IssueChatTokenRequest.newBuilder().setAppId(APP_ID)
                .setApp(ChatAppToken.getDefaultInstance()).build());
    }

    @Test
    void uidZeroIsRefusedByDefaultAndAllowedWhenGranted() {
        IssueRtcTokenRequest uid0 = IssueRtcTokenRequest.newBuilder().setAppId(APP_ID).setChannel("team-red")
                .setUid(0).setRole(io.tokenservice.proto.v1.RtcRole.RTC_ROLE_SUBSCRIBER).setTtlSeconds(600).build();
        assertThat(denial(() -> as(WEB_KEY).issueRtcToken(uid0))).contains("wildcard identity")
                .contains("allow_wildcard: false");
        assertThat(denial(() -> as(WEB_KEY).issueRtcToken(subscriber("team-red", "")))).contains("wildcard identity");
        assertThat(as(WILD_KEY).issueRtcToken(uid0).getToken()).startsWith("007");
        assertThat(denial(() -> as(WEB_KEY).issueChatToken(IssueChatTokenRequest.newBuilder().setAppId(APP_ID)
                .setApp(ChatAppToken.getDefaultInstance()).build()))).contains("service chat");
    }

    @Test
    void rateLimitHitAndRecovered() throws Exception {
        IssueRtmTokenRequest rtm = IssueRtmTokenRequest.newBuilder().setAppId(APP_ID).setUserId("u1").setTtlSeconds(60)
                .build();
        as(LIMITED_KEY).issueRtmToken(rtm);
        as(LIMITED_KEY).issueRtmToken(rtm);
        StatusRuntimeException e = refused(() -> as(LIMITED_KEY).issueRtmToken(rtm));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        RetryInfo retry = StatusProto.fromThrowable(e).getDetails(0).unpack(RetryInfo.class);
        assertThat(retry.getRetryDelay().getSeconds()).isEqualTo(1);
        assertThat(auditEvents.get(auditEvents.size() - 1).outcome()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);

        as(WEB_KEY).issueRtcToken(subscriber("team-red", "user-1")); // other callers are unaffected

        nanos.addAndGet(SECOND);
        as(LIMITED_KEY).issueRtmToken(rtm);
        refused(() -> as(LIMITED_KEY).issueRtmToken(rtm));
    }

    @Test
    void denyListChangeIsPickedUpWithoutRestart() throws Exception {
        IssuedToken t = as(WEB_KEY).issueRtcToken(subscriber("team-banned", "user-1"));
        replace(denyFile, "channel:team-banned\naccount:user-9\n");
        long deadline = System.nanoTime() + 10 * SECOND;
        while (!security.denyListGate().current().deniesChannel("team-banned")) { // the 1 s poll, no explicit reload
            assertThat(System.nanoTime()).as("deny-list polled within 10 s").isLessThan(deadline);
            Thread.sleep(20);
        }
        assertThat(denial(() -> as(WEB_KEY).issueRtcToken(subscriber("team-banned", "user-1"))))
                .isEqualTo("deny-list: channel 'team-banned' is denied");
        assertThat(denial(() -> as(WEB_KEY).renewToken(RenewTokenRequest.newBuilder().setToken(t.getToken()).build())))
                .isEqualTo("deny-list: channel 'team-banned' is denied");
        assertThat(denial(() -> as(WEB_KEY).issueRtcToken(subscriber("team-red", "user-9"))))
                .isEqualTo("deny-list: account 'user-9' is denied");
        as(WEB_KEY).issueRtcToken(subscriber("team-red", "user-1"));
    }

    @Test
    void renewIsRefusedAfterThePolicyShrinksOnTheSameConnection() throws Exception {
        IssuedToken t = as(WEB_KEY).issueRtcToken(subscriber("team-red", "user-1"));
        RenewTokenRequest renew = RenewTokenRequest.newBuilder().setToken(t.getToken()).build();
        assertThat(as(WEB_KEY).renewToken(renew).getToken()).startsWith("007");

        security.reload(config("\"team-blue\"", true));
        assertThat(denial(() -> as(WEB_KEY).renewToken(renew)))
                .isEqualTo("policy of caller 'web': channel 'team-red' matches none of [team-blue]");
        as(WEB_KEY).issueRtcToken(subscriber("team-blue", "user-1"));
        assertThat(channel.getState(false)).isEqualTo(ConnectivityState.READY);
    }

    @Test
    void aKeyRemovedByReloadIsRevoked() throws Exception {
        as(WEB_KEY).issueRtcToken(subscriber("team-red", "user-1"));
        security.reload(config("\"team-*\"", false));
        StatusRuntimeException e = refused(() -> as(WEB_KEY).issueRtcToken(subscriber("team-red", "user-1")));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(e.getStatus().getDescription()).isEqualTo(AuthenticationInterceptor.FAILURE_DESCRIPTION);
        as(WILD_KEY).issueRtcToken(subscriber("team-red", "user-1"));
    }

    @Test
    void aBrokenReloadChangesNothing() throws Exception {
        Path missing = dir.resolve("no-such-deny-list.txt");
        SecurityConfig good = config("\"team-blue\"", false);
        SecurityConfig broken = new SecurityConfig(good.apiKeys(), good.clientCertificates(), good.policies(),
                good.rateLimits(), good.defaultRateLimit(), Optional.of(missing), good.denyListPollInterval());
        assertThat(catchThrowableOfType(java.io.IOException.class, () -> security.reload(broken))).isNotNull();
        as(WEB_KEY).issueRtcToken(subscriber("team-red", "user-1"));
    }

    static String sha256Prefix(String token) throws Exception {
        byte[] d = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(d).substring(0, 12);
    }

    static void replace(Path file, String content) throws Exception {
        Path tmp = Files.createTempFile(file.getParent(), "deny", ".tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Just enough of a TokenService to drive the seam as the real handlers do. */
    static final class StandInTokenService extends TokenServiceGrpc.TokenServiceImplBase {
        private final AccessGate gate;
        private final AuditSink audit;
        private final TokenIssuer issuer = TokenIssuer.createDefault();
        private final AppCredentials app = new AppCredentials(APP_ID, APP_CERTIFICATE);

        StandInTokenService(AccessGate gate, AuditSink audit) {
            this.gate = gate;
            this.audit = audit;
        }

        @Override
        public void issueRtcToken(IssueRtcTokenRequest r, StreamObserver<IssuedToken> out) {
            RtcIdentity identity = r.hasUid() ? RtcIdentity.uid(r.getUid()) : RtcIdentity.account(r.getAccount());
            RtcRole role = r.getRole() == io.tokenservice.proto.v1.RtcRole.RTC_ROLE_PUBLISHER ? RtcRole.PUBLISHER
                    : RtcRole.SUBSCRIBER;
            long ttl = r.getTtlSeconds() == 0 ? 3600 : r.getTtlSeconds();
            List<RequestedService> services = new ArrayList<>();
            services.add(RequestedService.rtc(r.getChannel(), identity.encoded(), role));
            RtcTokenRequest request = RtcTokenRequest.of(r.getChannel(), identity, role, ttl);
            if (r.getIncludeRtm()) {
                String user = r.getRtmUserId().isEmpty() ? identity.encoded() : r.getRtmUserId();
                services.add(RequestedService.rtm(user));
                request = request.withRtm(new RtmTokenRequest(user, ttl));
            }
            RtcTokenRequest finalRequest = request;
            decide(new GrantRequest(Rpc.ISSUE_RTC_TOKEN, r.getAppId(), services, ttl),
                    () -> issuer.issueRtc(app, finalRequest).token(), out);
        }

        @Override
        public void issueRtmToken(IssueRtmTokenRequest r, StreamObserver<IssuedToken> out) {
            long ttl = r.getTtlSeconds() == 0 ? 3600 : r.getTtlSeconds();
            decide(new GrantRequest(Rpc.ISSUE_RTM_TOKEN, r.getAppId(), List.of(RequestedService.rtm(r.getUserId())), ttl),
                    () -> issuer.issueRtm(app, new RtmTokenRequest(r.getUserId(), ttl)).token(), out);
        }

        @Override
        public void issueChatToken(IssueChatTokenRequest r, StreamObserver<IssuedToken> out) {
            long ttl = r.getTtlSeconds() == 0 ? 3600 : r.getTtlSeconds();
            boolean appToken = r.hasApp();
            decide(new GrantRequest(Rpc.ISSUE_CHAT_TOKEN, r.getAppId(),
                    List.of(RequestedService.chat(appToken ? "" : r.getUserId())), ttl),
                    () -> issuer.issueChat(app, appToken ? ChatTokenRequest.app(ttl)
                            : ChatTokenRequest.user(r.getUserId(), ttl)).token(), out);
        }

        @Override
        public void renewToken(RenewTokenRequest r, StreamObserver<IssuedToken> out) {
            AccessToken2 old = AccessToken2Codec.decode(r.getToken()).content();
            List<RequestedService> services = new ArrayList<>();
            for (Service s : old.services()) {
                if (s instanceof Service.Rtc rtc) {
                    boolean publisher = rtc.privilege(Service.RTC_PUBLISH_AUDIO_STREAM).isPresent();
                    services.add(RequestedService.rtc(rtc.channel(), rtc.uid(),
                            publisher ? RtcRole.PUBLISHER : RtcRole.SUBSCRIBER));
                } else if (s instanceof Service.Rtm rtm) {
                    services.add(RequestedService.rtm(rtm.userId()));
                }
            }
            long ttl = r.getTtlSeconds() == 0 ? old.expire() : r.getTtlSeconds();
            decide(new GrantRequest(Rpc.RENEW_TOKEN, old.appId(), services, ttl),
                    () -> issuer.reissue(app, ttl, old.services()).token(), out);
        }

        private void decide(GrantRequest grant, java.util.function.Supplier<String> sign,
                StreamObserver<IssuedToken> out) {
            var caller = CallerContext.current();
            try {
                // In the order the server asks: at the call's start, once the app is known, the whole grant.
                gate.admit(caller, grant.rpc());
                gate.admitApp(caller, grant.rpc(), grant.appId());
                gate.check(caller, grant);
            } catch (StatusRuntimeException e) {
                audit.record(new AuditEvent(Instant.now(), Optional.of(caller), grant.rpc(), Optional.of(grant),
                        e.getStatus().getCode(), String.valueOf(e.getStatus().getDescription()), Optional.empty()));
                out.onError(e);
                return;
            }
            String token = sign.get();
            issuedTokens.add(token);
            try {
                audit.record(new AuditEvent(Instant.now(), Optional.of(caller), grant.rpc(), Optional.of(grant),
                        Status.Code.OK, "issued", Optional.of(sha256Prefix(token))));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            out.onNext(IssuedToken.newBuilder().setToken(token).setAppId(grant.appId()).build());
            out.onCompleted();
        }
    }
}
