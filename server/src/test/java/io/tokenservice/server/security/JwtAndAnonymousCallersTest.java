package io.tokenservice.server.security;

import static io.tokenservice.server.testing.TestApps.APP_ID;
import static io.tokenservice.server.testing.TestApps.CERT;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.tokenservice.core.token.AccessToken2;
import io.tokenservice.core.token.AccessToken2Codec;
import io.tokenservice.core.token.ParsedAccessToken2;
import io.tokenservice.core.token.Service;
import io.tokenservice.proto.v1.IssueRtcTokenRequest;
import io.tokenservice.proto.v1.IssueRtmTokenRequest;
import io.tokenservice.proto.v1.IssuedToken;
import io.tokenservice.proto.v1.RenewTokenRequest;
import io.tokenservice.proto.v1.RtcRole;
import io.tokenservice.proto.v1.TokenServiceGrpc.TokenServiceBlockingStub;
import io.tokenservice.server.audit.JsonAuditSink;
import io.tokenservice.server.auth.ApiKeyRegistry;
import io.tokenservice.server.testing.Launched;
import io.tokenservice.server.testing.LogCapture;
import io.tokenservice.server.testing.Statuses;
import io.tokenservice.server.testing.TestIdentityProvider;
import io.tokenservice.server.testing.TestSecrets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End users with JWTs and the explicit anonymous caller, through the real server started as {@code Main} starts
 * it, configured by a file: tokens only for the user themself, bound channels, per-user rate limits, the audit
 * (subject, never the JWT), a JWK set file rotated at runtime (and a broken one ignored), and calls without
 * credentials with and without {@code security.anonymous}.
 */
class JwtAndAnonymousCallersTest {
    private static final String BACKEND_KEY = TestSecrets.register("tsk_jwt_test_backend_key_00000001");
    private static final TestIdentityProvider IDP = TestIdentityProvider.get();

    static final String CONFIG = """
            apps:
              - app_id: %s
                primary_certificate: %s
            security:
              callers:
                backend:
                  api_keys: ["%s"]
                  apps: ["*"]
                  services: [rtc]
                  channels: ["*"]
                  roles: [publisher]
                app-users:
                  jwt:
                    issuer: %s
                    audiences: [%s]
                    jwks_file: jwks.json
                  bind:
                    identity: sub
                    channels: ["room-{sub}-*"]
                    channels_claim: rooms
                  apps: ["*"]
                  services: [rtc, rtm]
                  channels: ["*"]
                  roles: [publisher, subscriber]
                  max_ttl_seconds: 1800
                  may_renew: true
                  rate_limit: {per_second: 0.01, burst: 6}
            """.formatted(APP_ID, CERT, ApiKeyRegistry.configHash(BACKEND_KEY), TestIdentityProvider.ISSUER,
            TestIdentityProvider.AUDIENCE);
    static final String ANONYMOUS = """
              anonymous:
                apps: ["*"]
                services: [rtc]
                channels: ["demo-*"]
                roles: [subscriber]
                max_ttl_seconds: 600
                rate_limit: {per_second: 0.01, burst: 3}
            """;

    @TempDir
    Path dir;

    private Path config;
    private Path jwks;
    private Launched server;
    private LogCapture log;

    @BeforeEach
    void start() throws Exception {
        config = Files.writeString(dir.resolve("token-service.yaml"), CONFIG + ANONYMOUS);
        jwks = TestIdentityProvider.write(dir.resolve("jwks.json"), IDP.jwks());
        log = LogCapture.all();
        server = Launched.start(Map.of("TOKEN_SERVICE_CONFIG", config.toString()), dir);
    }

    @AfterEach
    void stop() {
        server.close();
        log.close();
        assertThat(log.lines().stream().filter(l -> l.contains("eyJ")).toList()).as("no JWT in any log line").isEmpty();
    }

    private TokenServiceBlockingStub as(String credential) {
        return server.as(credential);
    }

    private static String jwt(String subject, Map<String, Object> claims) {
        return TestIdentityProvider.get().token(subject, Instant.now(), claims);
    }

    private static IssueRtcTokenRequest rtc(String channel, String account, RtcRole role) {
        return IssueRtcTokenRequest.newBuilder().setChannel(channel).setAccount(account).setRole(role)
                .setTtlSeconds(600).build();
    }

    private static IssueRtcTokenRequest rtcUid(String channel, int uid) {
        return IssueRtcTokenRequest.newBuilder().setChannel(channel).setUid(uid)
                .setRole(RtcRole.RTC_ROLE_PUBLISHER).setTtlSeconds(600).build();
    }

    private static Service.Rtc decodedRtc(IssuedToken issued) {
        ParsedAccessToken2 parsed = AccessToken2Codec.decode(issued.getToken());
        assertThat(parsed.verify(CERT)).isTrue();
        AccessToken2 content = parsed.content();
        assertThat(content.appId()).isEqualTo(APP_ID);
        assertThat(content.services()).hasSize(1);
        return (Service.Rtc) content.services().get(0);
    }

    private String denial(TokenServiceBlockingStub stub, IssueRtcTokenRequest request) {
        return Statuses.failure(Status.Code.PERMISSION_DENIED, () -> stub.issueRtcToken(request)).getStatus()
                .getDescription();
    }

    @Test
    void aUserGetsATokenOnlyForThemself() {
        String alice = jwt("alice", Map.of());
        Service.Rtc rtc = decodedRtc(as(alice).issueRtcToken(rtc("room-alice-1", "alice", RtcRole.RTC_ROLE_PUBLISHER)));
        assertThat(rtc.channel()).isEqualTo("room-alice-1");
        assertThat(rtc.uid()).isEqualTo("alice");

        assertThat(denial(as(alice), rtc("room-alice-1", "bob", RtcRole.RTC_ROLE_PUBLISHER)))
                .isEqualTo("policy of caller 'app-users': bind.identity: RTC uid/account 'bob' is not the token's "
                        + "'sub' claim");
        assertThat(denial(as(alice), rtc("room-bob-1", "alice", RtcRole.RTC_ROLE_PUBLISHER)))
                .isEqualTo("policy of caller 'app-users': bind.channels: channel 'room-bob-1' matches none of "
                        + "[room-{sub}-*] and is not listed in the token's 'rooms' claim");
        assertThat(Statuses.failure(Status.Code.PERMISSION_DENIED, () -> as(alice).issueRtmToken(
                IssueRtmTokenRequest.newBuilder().setUserId("bob").build())).getStatus().getDescription())
                .contains("RTM user id 'bob' is not the token's 'sub' claim");
        assertThat(denial(as(alice), rtc("room-alice-1", "alice", RtcRole.RTC_ROLE_PUBLISHER).toBuilder()
                .setTtlSeconds(3600).build())).contains("ttl 3600 s exceeds max_ttl_seconds 1800");
    }

    @Test
    void aUserRenewsOnlyTheirOwnTokens() {
        String alice = jwt("alice", Map.of());
        IssuedToken own = as(alice).issueRtcToken(rtc("room-alice-1", "alice", RtcRole.RTC_ROLE_PUBLISHER));
        IssuedToken renewed = as(alice).renewToken(RenewTokenRequest.newBuilder().setToken(own.getToken()).build());
        assertThat(decodedRtc(renewed).uid()).isEqualTo("alice");
        IssuedToken bobs = as(BACKEND_KEY).issueRtcToken(rtc("room-alice-1", "bob", RtcRole.RTC_ROLE_PUBLISHER));
        assertThat(Statuses.failure(Status.Code.PERMISSION_DENIED, () -> as(alice).renewToken(
                RenewTokenRequest.newBuilder().setToken(bobs.getToken()).build())).getStatus().getDescription())
                .contains("bind.identity: RTC uid/account 'bob' is not the token's 'sub' claim");
    }

    @Test
    void aNumericUidIsComparedAsItsDecimalString() {
        String user42 = jwt("42", Map.of("rooms", List.of("math-101")));
        assertThat(decodedRtc(as(user42).issueRtcToken(rtcUid("math-101", 42))).uid()).isEqualTo("42");
        assertThat(denial(as(user42), rtcUid("math-101", 43))).contains("RTC uid/account '43' is not the token's");
        assertThat(denial(as(user42), rtcUid("math-102", 42))).contains("bind.channels");
    }

    @Test
    void theAuditRecordsCallerAndSubjectButNeverTheJwt() throws InterruptedException {
        String bob = jwt("bob", Map.of());
        as(bob).issueRtcToken(rtc("room-bob-x", "bob", RtcRole.RTC_ROLE_SUBSCRIBER));
        server.awaitAudit();
        List<String> audit = log.records().stream().filter(r -> r.getLoggerName().equals(JsonAuditSink.LOGGER_NAME))
                .map(r -> r.getMessage()).toList();
        assertThat(audit).singleElement().asString().contains("\"caller\":\"app-users\"", "\"auth\":\"jwt\"",
                "\"subject\":\"bob\"", "\"outcome\":\"OK\"").doesNotContain(bob).doesNotContain("eyJ");
    }

    @Test
    void badJwtsAreUnauthenticatedNeverAnonymous() {
        Instant now = Instant.now();
        List<String> refused = List.of(
                IDP.rs256(TestIdentityProvider.claims("alice", now.minusSeconds(7200))
                        .expirationTime(java.util.Date.from(now.minusSeconds(3600))).build()),
                IDP.rs256(TestIdentityProvider.claims("alice", now).audience("someone-else").build()),
                TestIdentityProvider.other().rs256(TestIdentityProvider.claims("alice", now).build()),
                new com.nimbusds.jwt.PlainJWT(TestIdentityProvider.claims("alice", now).build()).serialize(),
                "abc.def.ghi");
        for (String token : refused) {
            Statuses.failure(Status.Code.UNAUTHENTICATED, () -> as(token).issueRtcToken(
                    rtc("demo-1", "alice", RtcRole.RTC_ROLE_SUBSCRIBER)));
        }
        Statuses.failure(Status.Code.UNAUTHENTICATED, () -> as("tsk_not_a_configured_key_000000001")
                .issueRtcToken(rtc("demo-1", "alice", RtcRole.RTC_ROLE_SUBSCRIBER)));
    }

    @Test
    void eachUserHasARateLimitOfTheirOwn() {
        String alice = jwt("alice", Map.of());
        for (int i = 0; i < 6; i++) {
            as(alice).issueRtcToken(rtc("room-alice-" + i, "alice", RtcRole.RTC_ROLE_SUBSCRIBER));
        }
        assertThat(Statuses.failure(Status.Code.RESOURCE_EXHAUSTED, () -> as(alice).issueRtcToken(
                rtc("room-alice-4", "alice", RtcRole.RTC_ROLE_SUBSCRIBER))).getStatus().getDescription())
                .startsWith("rate limit of caller 'app-users/alice' exceeded");
        String aliceAgain = jwt("alice", Map.of("fresh", true));
        Statuses.failure(Status.Code.RESOURCE_EXHAUSTED, () -> as(aliceAgain).issueRtcToken(
                rtc("room-alice-5", "alice", RtcRole.RTC_ROLE_SUBSCRIBER)));
        String carol = jwt("carol", Map.of());
        as(carol).issueRtcToken(rtc("room-carol-1", "carol", RtcRole.RTC_ROLE_SUBSCRIBER));
    }

    @Test
    void aRotatedJwksFileAppliesWithoutRestartAndABrokenOneKeepsTheKeys() {
        TestIdentityProvider next = TestIdentityProvider.other();
        String byOld = jwt("alice", Map.of());
        String byNew = next.es256(TestIdentityProvider.claims("alice", Instant.now()).build());
        Statuses.failure(Status.Code.UNAUTHENTICATED, () -> as(byNew).issueRtcToken(
                rtc("room-alice-1", "alice", RtcRole.RTC_ROLE_SUBSCRIBER)));

        TestIdentityProvider.write(jwks, next.jwks());
        server.server.watcher().poll();
        server.server.watcher().poll();
        as(byNew).issueRtcToken(rtc("room-alice-1", "alice", RtcRole.RTC_ROLE_SUBSCRIBER));
        Statuses.failure(Status.Code.UNAUTHENTICATED, () -> as(byOld).issueRtcToken(
                rtc("room-alice-1", "alice", RtcRole.RTC_ROLE_SUBSCRIBER)));

        TestIdentityProvider.write(jwks, "{\"keys\": [");
        server.server.watcher().poll();
        server.server.watcher().poll();
        as(byNew).issueRtcToken(rtc("room-alice-2", "alice", RtcRole.RTC_ROLE_SUBSCRIBER));
        assertThat(log.messages(Level.WARNING)).filteredOn(m -> m.startsWith("configuration not reloaded"))
                .singleElement().asString().contains("jwks.json: not a JWK set");
    }

    @Test
    void callsWithoutCredentialsRunAsTheAnonymousCaller() throws InterruptedException {
        assertThat(log.messages(Level.WARNING)).filteredOn(m -> m.startsWith("security.anonymous is configured"))
                .hasSize(1);
        Service.Rtc rtc = decodedRtc(server.anonymous().issueRtcToken(rtc("demo-1", "guest", RtcRole.RTC_ROLE_SUBSCRIBER)));
        assertThat(rtc.channel()).isEqualTo("demo-1");
        assertThat(rtc.uid()).isEqualTo("guest");
        assertThat(denial(server.anonymous(), rtc("demo-1", "guest", RtcRole.RTC_ROLE_PUBLISHER)))
                .isEqualTo("policy of caller 'anonymous': role publisher is not allowed (roles: [subscriber])");
        assertThat(denial(server.anonymous(), rtc("private", "guest", RtcRole.RTC_ROLE_SUBSCRIBER)))
                .contains("channel 'private' matches none of [demo-*]");
        assertThat(Statuses.failure(Status.Code.RESOURCE_EXHAUSTED, () -> server.anonymous().issueRtcToken(
                rtc("demo-2", "guest", RtcRole.RTC_ROLE_SUBSCRIBER))).getStatus().getDescription())
                .as("refusals cost a token too").startsWith("rate limit of caller 'anonymous' exceeded");
        // the backend's own key is unaffected by the anonymous bucket
        as(BACKEND_KEY).issueRtcToken(rtc("any", "svc", RtcRole.RTC_ROLE_PUBLISHER));
        server.awaitAudit();
        List<String> audit = log.records().stream().filter(r -> r.getLoggerName().equals(JsonAuditSink.LOGGER_NAME))
                .map(r -> r.getMessage()).toList();
        assertThat(audit.get(0)).contains("\"caller\":\"anonymous\"", "\"auth\":\"anonymous\"", "\"subject\":null");
    }

    @Test
    void withoutTheAnonymousSectionCallsWithoutCredentialsAreRefused() throws Exception {
        Files.writeString(config, CONFIG);
        assertThat(server.server.reload()).isTrue();
        Statuses.failure(Status.Code.UNAUTHENTICATED, () -> server.anonymous().issueRtcToken(
                rtc("demo-1", "guest", RtcRole.RTC_ROLE_SUBSCRIBER)));
        as(jwt("alice", Map.of())).issueRtcToken(rtc("room-alice-1", "alice", RtcRole.RTC_ROLE_SUBSCRIBER));
    }

    @Test
    void malformedAuthorizationIsNotAnonymous() {
        Statuses.failure(Status.Code.UNAUTHENTICATED, () -> server.anonymous()
                .withCallCredentials(new io.grpc.CallCredentials() {
                    @Override
                    public void applyRequestMetadata(RequestInfo info, java.util.concurrent.Executor executor,
                            MetadataApplier applier) {
                        io.grpc.Metadata headers = new io.grpc.Metadata();
                        headers.put(io.tokenservice.server.auth.AuthenticationInterceptor.AUTHORIZATION, "Basic abc");
                        applier.apply(headers);
                    }
                }).issueRtcToken(rtc("demo-1", "guest", RtcRole.RTC_ROLE_SUBSCRIBER)));
    }
}
