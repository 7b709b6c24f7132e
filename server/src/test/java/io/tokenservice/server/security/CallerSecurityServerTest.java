package io.tokenservice.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.rpc.RetryInfo;
import io.grpc.ConnectivityState;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.tokenservice.core.issue.RtcRole;
import io.tokenservice.core.token.AccessToken2Codec;
import io.tokenservice.proto.v1.ChatAppToken;
import io.tokenservice.proto.v1.IssueChatTokenRequest;
import io.tokenservice.proto.v1.IssueRtcTokenRequest;
import io.tokenservice.proto.v1.IssueRtmTokenRequest;
import io.tokenservice.proto.v1.IssuedToken;
import io.tokenservice.proto.v1.RenewTokenRequest;
import io.tokenservice.proto.v1.TokenServiceGrpc;
import io.tokenservice.server.access.AuditEvent;
import io.tokenservice.server.access.ServiceKind;
import io.tokenservice.server.audit.JsonAuditSink;
import io.tokenservice.server.auth.ApiKeyRegistry;
import io.tokenservice.server.auth.AuthenticationInterceptor;
import io.tokenservice.server.auth.BearerHeader;
import io.tokenservice.server.auth.ClientCertificateMapping;
import io.tokenservice.server.config.DenyListSettings;
import io.tokenservice.server.config.SecuritySettings;
import io.tokenservice.server.config.ServerConfig;
import io.tokenservice.server.denylist.DenyList;
import io.tokenservice.server.policy.CallerPolicy;
import io.tokenservice.server.policy.GlobList;
import io.tokenservice.server.ratelimit.RateLimit;
import io.tokenservice.server.rpc.TokenDigest;
import io.tokenservice.server.testing.LogCapture;
import io.tokenservice.server.testing.TestSecrets;
import io.tokenservice.server.testing.TokenServerExtension;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Caller security as {@link CallerSecurity#wire} plugs it into the real server (Netty, the real handlers):
 * authentication, each policy rule, the rate limit and the deny-list over the wire, and settings swapped on an
 * open connection.
 */
class CallerSecurityServerTest {
    private static final String APP_ID = "0123456789abcdef0123456789abcdef";
    private static final String APP_CERTIFICATE = TestSecrets.register("fedcba9876543210fedcba9876543210");
    private static final String WEB_KEY = TestSecrets.register("tsk_web_key_for_tests_only_0001");
    private static final String LIMITED_KEY = TestSecrets.register("tsk_limited_key_for_tests_0002");
    private static final String WILD_KEY = TestSecrets.register("tsk_wild_key_for_tests_only_003");
    private static final long SECOND = 1_000_000_000L;

    private static final AtomicLong nanos = new AtomicLong();
    private static final List<String> issuedTokens = new CopyOnWriteArrayList<>();
    private static LogCapture logs;
    private static CallerSecurity security;

    @RegisterExtension
    static final TokenServerExtension server = new TokenServerExtension() {
        @Override
        protected void configure(ServerConfig.Builder config) {
            JsonAuditSink json = new JsonAuditSink();
            security = new CallerSecurity(settings(List.of("team-*"), true, DenyList.empty()), event -> {
                json.record(event);
                audit.record(event);
            }, Clock.systemUTC(), nanos::get);
            security.wire(config.app(APP_ID, APP_CERTIFICATE));
        }
    };

    /** web: RTC/RTM subscriber in {@code webChannels}; limited: RTM only, 1/s; wild: wildcard and Chat app. */
    static SecuritySettings settings(List<String> webChannels, boolean webKeyPresent, DenyList denyList) {
        ApiKeyRegistry.Builder keys = ApiKeyRegistry.builder().addKey("limited", LIMITED_KEY).addKey("wild", WILD_KEY);
        if (webKeyPresent) {
            keys.addKey("web", WEB_KEY);
        }
        Map<String, CallerPolicy> policies = new LinkedHashMap<>();
        policies.put("web", new CallerPolicy(GlobList.of(List.of(APP_ID)), EnumSet.of(ServiceKind.RTC, ServiceKind.RTM),
                GlobList.of(webChannels), GlobList.of(List.of("user-*", "1*")), EnumSet.of(RtcRole.SUBSCRIBER), 3600,
                false, false, true, false));
        policies.put("limited", new CallerPolicy(GlobList.any(), EnumSet.of(ServiceKind.RTM), GlobList.none(),
                GlobList.any(), Set.of(), 3600, false, false, false, false));
        policies.put("wild", new CallerPolicy(GlobList.any(), EnumSet.of(ServiceKind.RTC, ServiceKind.CHAT),
                GlobList.any(), GlobList.any(), EnumSet.allOf(RtcRole.class), 86400, true, true, false, false));
        return new SecuritySettings(keys.build(), ClientCertificateMapping.empty(), policies,
                Map.of("web", new RateLimit(1000, 1000), "limited", new RateLimit(1, 2)), RateLimit.DEFAULT,
                new DenyListSettings(Optional.empty(), denyList, DenyListSettings.DEFAULT_POLL_INTERVAL));
    }

    @BeforeAll
    static void captureLogs() {
        logs = LogCapture.all();
    }

    @AfterAll
    static void noSecretInAnyLogLine() {
        logs.close();
        assertThat(issuedTokens).isNotEmpty();
        List<String> secrets = new ArrayList<>(List.of(WEB_KEY, LIMITED_KEY, WILD_KEY, APP_CERTIFICATE));
        for (String token : issuedTokens) {
            secrets.add(token);
            secrets.add(token.substring(3, 40)); // any sizeable piece of a token
        }
        for (String secret : secrets) {
            assertThat(logs.linesContaining(secret)).as("log lines containing a secret").isEmpty();
        }
    }

    @BeforeEach
    void reset() {
        security.apply(settings(List.of("team-*"), true, DenyList.empty()));
        nanos.addAndGet(100 * SECOND);
    }

    private static TokenServiceGrpc.TokenServiceBlockingStub as(String key) {
        return server.stub().withCallCredentials(BearerHeader.bearer(key));
    }

    private static IssuedToken issue(String key, IssueRtcTokenRequest request) {
        IssuedToken token = as(key).issueRtcToken(request);
        issuedTokens.add(token.getToken());
        return token;
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
    void allowedIssueIsSignedAndAuditedByHashOnly() {
        IssuedToken t = issue(WEB_KEY, subscriber("team-red", "user-1"));
        assertThat(AccessToken2Codec.decode(t.getToken()).verify(APP_CERTIFICATE)).isTrue();
        assertThat(server.audit.events()).hasSize(1);
        AuditEvent e = server.audit.last();
        assertThat(e.outcome()).isEqualTo(Status.Code.OK);
        assertThat(e.caller().orElseThrow().name()).isEqualTo("web");
        String prefix = TokenDigest.sha256Prefix(t.getToken());
        assertThat(e.tokenSha256Prefix()).contains(prefix);
        assertThat(logs.lines()).anyMatch(l -> l.contains("\"token_sha256\":\"" + prefix + "\""));
    }

    @Test
    void noOrWrongCredentialsOverTheWire() {
        StatusRuntimeException none = refused(() -> TokenServiceGrpc.newBlockingStub(server.channel())
                .withDeadlineAfter(10, TimeUnit.SECONDS).issueRtcToken(subscriber("team-red", "user-1")));
        StatusRuntimeException wrong = refused(() -> as("tsk_not_a_key_of_anyone_000").issueRtcToken(
                subscriber("team-red", "user-1")));
        for (StatusRuntimeException e : List.of(none, wrong)) {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(e.getStatus().getDescription()).isEqualTo(AuthenticationInterceptor.FAILURE_DESCRIPTION);
        }
        assertThat(server.audit.events()).extracting(AuditEvent::outcome).containsOnly(Status.Code.UNAUTHENTICATED);
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
                .as("judged before the app is looked up").isEqualTo(
                        "policy of caller 'web': app 'ffffffffffffffffffffffffffffffff' matches none of [" + APP_ID + "]");
        assertThat(denial(() -> as(WEB_KEY).issueChatToken(IssueChatTokenRequest.newBuilder().setAppId(APP_ID)
                .setUserId("user-1").build())))
                .isEqualTo("policy of caller 'web': service chat is not allowed (services: [rtc, rtm])");
        assertThat(denial(() -> as(LIMITED_KEY).issueRtcToken(subscriber("team-red", "user-1"))))
                .isEqualTo("policy of caller 'limited': service rtc is not allowed (services: [rtm])");
        assertThat(server.audit.events()).hasSize(7).allSatisfy(e -> {
            assertThat(e.outcome()).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(e.reason()).startsWith("policy of caller");
            assertThat(e.tokenSha256Prefix()).isEmpty();
        });
        // and the same rules allow what they name
        issue(WEB_KEY, subscriber("team-red", "user-1"));
        issue(WEB_KEY, subscriber("team-blue", "12345"));
        issue(WEB_KEY, subscriber("team-red", "user-1").toBuilder().setIncludeRtm(true).build());
        issuedTokens.add(as(WILD_KEY).issueChatToken(IssueChatTokenRequest.newBuilder().setAppId(APP_ID)
                .setApp(ChatAppToken.getDefaultInstance()).build()).getToken());
    }

    @Test
    void uidZeroIsRefusedByDefaultAndAllowedWhenGranted() {
        IssueRtcTokenRequest uid0 = IssueRtcTokenRequest.newBuilder().setAppId(APP_ID).setChannel("team-red")
                .setUid(0).setRole(io.tokenservice.proto.v1.RtcRole.RTC_ROLE_SUBSCRIBER).setTtlSeconds(600).build();
        assertThat(denial(() -> as(WEB_KEY).issueRtcToken(uid0))).contains("wildcard identity")
                .contains("allow_wildcard: false");
        assertThat(denial(() -> as(WEB_KEY).issueRtcToken(subscriber("team-red", "")))).contains("wildcard identity");
        assertThat(issue(WILD_KEY, uid0).getToken()).startsWith("007");
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
        assertThat(server.audit.last().outcome()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);

        issue(WEB_KEY, subscriber("team-red", "user-1")); // other callers are unaffected

        nanos.addAndGet(SECOND);
        as(LIMITED_KEY).issueRtmToken(rtm);
        refused(() -> as(LIMITED_KEY).issueRtmToken(rtm));
    }

    @Test
    void aNewDenyListRefusesTheNextIssueAndRenewal() {
        IssuedToken t = issue(WEB_KEY, subscriber("team-banned", "user-1"));
        security.apply(settings(List.of("team-*"), true, DenyList.parse("channel:team-banned\naccount:user-9\n")));

        assertThat(denial(() -> as(WEB_KEY).issueRtcToken(subscriber("team-banned", "user-1"))))
                .isEqualTo("deny-list: channel 'team-banned' is denied");
        assertThat(denial(() -> as(WEB_KEY).renewToken(RenewTokenRequest.newBuilder().setToken(t.getToken()).build())))
                .isEqualTo("deny-list: channel 'team-banned' is denied");
        assertThat(denial(() -> as(WEB_KEY).issueRtcToken(subscriber("team-red", "user-9"))))
                .isEqualTo("deny-list: account 'user-9' is denied");
        issue(WEB_KEY, subscriber("team-red", "user-1"));
    }

    @Test
    void renewIsRefusedAfterThePolicyShrinksOnTheSameConnection() {
        IssuedToken t = issue(WEB_KEY, subscriber("team-red", "user-1"));
        RenewTokenRequest renew = RenewTokenRequest.newBuilder().setToken(t.getToken()).build();
        issuedTokens.add(as(WEB_KEY).renewToken(renew).getToken());

        security.apply(settings(List.of("team-blue"), true, DenyList.empty()));
        assertThat(denial(() -> as(WEB_KEY).renewToken(renew)))
                .isEqualTo("policy of caller 'web': channel 'team-red' matches none of [team-blue]");
        issue(WEB_KEY, subscriber("team-blue", "user-1"));
        assertThat(server.channel().getState(false)).isEqualTo(ConnectivityState.READY);
    }

    @Test
    void aKeyRemovedByTheNextSettingsIsRevoked() {
        issue(WEB_KEY, subscriber("team-red", "user-1"));
        security.apply(settings(List.of("team-*"), false, DenyList.empty()));
        StatusRuntimeException e = refused(() -> as(WEB_KEY).issueRtcToken(subscriber("team-red", "user-1")));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(e.getStatus().getDescription()).isEqualTo(AuthenticationInterceptor.FAILURE_DESCRIPTION);
        issue(WILD_KEY, subscriber("team-red", "user-1"));
    }

    @Test
    void aRenewalWithoutTtlIsLoweredToTheRenewingCallersMaximum() {
        IssuedToken twoHours = issue(WILD_KEY, subscriber("team-red", "user-1").toBuilder().setTtlSeconds(7200).build());
        IssuedToken renewed = as(WEB_KEY).renewToken(RenewTokenRequest.newBuilder().setToken(twoHours.getToken()).build());
        issuedTokens.add(renewed.getToken());
        assertThat(renewed.getTtlSeconds()).as("web's max_ttl_seconds").isEqualTo(3600);
    }
}
