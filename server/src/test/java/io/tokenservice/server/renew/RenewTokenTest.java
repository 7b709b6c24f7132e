package io.tokenservice.server.renew;

import static io.tokenservice.server.testing.Statuses.errorInfo;
import static io.tokenservice.server.testing.Statuses.failure;
import static io.tokenservice.server.testing.Statuses.fieldViolations;
import static io.tokenservice.server.testing.Statuses.invalid;
import static io.tokenservice.server.testing.TestApps.APP_ID;
import static io.tokenservice.server.testing.TestApps.CERT;
import static io.tokenservice.server.testing.TestApps.FOREIGN_CERT;
import static io.tokenservice.server.testing.TestApps.OLD_CERT;
import static io.tokenservice.server.testing.TestApps.T0;
import static io.tokenservice.server.testing.TestApps.UNKNOWN_APP_ID;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tokenservice.core.issue.LegacyRole;
import io.tokenservice.core.issue.RtcIdentity;
import io.tokenservice.core.issue.RtcRole;
import io.tokenservice.core.issue.SaltSource;
import io.tokenservice.core.issue.TokenIssuer;
import io.tokenservice.core.issue.TokenLimits;
import io.tokenservice.core.token.AccessToken;
import io.tokenservice.core.token.AccessToken2;
import io.tokenservice.core.token.AccessToken2Codec;
import io.tokenservice.core.token.AccessTokenCodec;
import io.tokenservice.core.token.AppCredentials;
import io.tokenservice.core.token.ParsedAccessToken;
import io.tokenservice.core.token.ParsedAccessToken2;
import io.tokenservice.core.token.Privilege;
import io.tokenservice.core.token.Service;
import io.tokenservice.proto.v1.ChatAppToken;
import io.tokenservice.proto.v1.IssueChatTokenRequest;
import io.tokenservice.proto.v1.IssueRtcTokenRequest;
import io.tokenservice.proto.v1.IssueRtmTokenRequest;
import io.tokenservice.proto.v1.IssuedToken;
import io.tokenservice.proto.v1.RenewTokenRequest;
import io.tokenservice.proto.v1.RtcPrivilegeTtls;
import io.tokenservice.proto.v1.TokenVersion;
import io.tokenservice.server.access.AuditEvent;
import io.tokenservice.server.access.GrantRequest;
import io.tokenservice.server.access.RequestedService;
import io.tokenservice.server.access.Rpc;
import io.tokenservice.server.rpc.TokenDigest;
import io.tokenservice.server.testing.TestServer;
import io.tokenservice.server.testing.TokenServerExtension;
import io.tokenservice.server.testing.TestTokens;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** RenewToken against a real Netty server whose app has a primary (CERT) and a secondary (OLD_CERT). */
class RenewTokenTest {
    @RegisterExtension
    static final TokenServerExtension server = new TokenServerExtension();

    private static IssuedToken issuePublisher(int ttl, RtcPrivilegeTtls privileges) {
        IssueRtcTokenRequest.Builder request = IssueRtcTokenRequest.newBuilder()
                .setChannel("room-1").setUid(1234).setRole(io.tokenservice.proto.v1.RtcRole.RTC_ROLE_PUBLISHER)
                .setTtlSeconds(ttl).setIncludeRtm(true);
        if (privileges != null) {
            request.setPrivilegeTtls(privileges);
        }
        return server.stub().issueRtcToken(request.build());
    }

    private static IssuedToken renew(String token, int ttl) {
        return server.stub().renewToken(RenewTokenRequest.newBuilder().setToken(token).setTtlSeconds(ttl).build());
    }

    private static AccessToken2 decodePrimary(IssuedToken issued) {
        ParsedAccessToken2 parsed = AccessToken2Codec.decode(issued.getToken());
        assertThat(parsed.verify(CERT)).as("renewed tokens are signed with the primary certificate").isTrue();
        return parsed.content();
    }

    @Test
    void renewsAValidTokenWithTheSameGrantsAndANewIssueTimeAndSalt() {
        IssuedToken old = issuePublisher(600, RtcPrivilegeTtls.newBuilder().setPublishVideoSeconds(300).build());
        AccessToken2 oldContent = decodePrimary(old);
        server.clock.advance(Duration.ofSeconds(570));

        IssuedToken renewed = renew(old.getToken(), 0);

        AccessToken2 content = decodePrimary(renewed);
        long now = T0.getEpochSecond() + 570;
        assertThat(content.appId()).isEqualTo(APP_ID);
        assertThat(content.issueTs()).isEqualTo(now);
        assertThat(content.salt()).isNotEqualTo(oldContent.salt());
        assertThat(content.expire()).as("ttl 0 = the original lifetime").isEqualTo(600);
        assertThat(content.services()).as("same services, channel, identities and privileges")
                .isEqualTo(oldContent.services());
        assertThat(renewed.getIssuedAt().getSeconds()).isEqualTo(now);
        assertThat(renewed.getExpiresAt().getSeconds()).isEqualTo(now + 600);
        assertThat(renewed.getTtlSeconds()).isEqualTo(600);
        assertThat(renewed.getAppId()).isEqualTo(APP_ID);
        assertThat(renewed.getServicesList()).hasSize(2);
        assertThat(renewed.getServices(0).getChannel()).isEqualTo("room-1");
        assertThat(renewed.getServices(0).getUid()).isEqualTo("1234");
        assertThat(renewed.getServices(0).getPrivileges(2).getExpiresAt().getSeconds()).isEqualTo(now + 300);
        assertThat(renewed.getTokenSha256Prefix()).isEqualTo(TokenDigest.sha256Prefix(renewed.getToken()));
    }

    @Test
    void aShorterLifetimeCapsEveryPrivilege() {
        IssuedToken old = issuePublisher(3600, RtcPrivilegeTtls.newBuilder().setPublishAudioSeconds(600).build());

        AccessToken2 content = decodePrimary(renew(old.getToken(), 300));

        assertThat(content.expire()).isEqualTo(300);
        for (Service service : content.services()) {
            assertThat(service.privileges()).allSatisfy(p -> assertThat(p.value()).isEqualTo(300));
        }
    }

    @Test
    void aLongerLifetimeExtendsPrivilegesThatLastedAsLongAsTheTokenAndKeepsShorterOnes() {
        IssuedToken old = issuePublisher(600, RtcPrivilegeTtls.newBuilder().setPublishAudioSeconds(120).build());

        AccessToken2 content = decodePrimary(renew(old.getToken(), 1800));

        assertThat(content.expire()).isEqualTo(1800);
        Service.Rtc rtc = content.service(Service.Rtc.class).orElseThrow();
        assertThat(rtc.privileges()).containsExactly(new Privilege(1, 1800), new Privilege(2, 120),
                new Privilege(3, 1800), new Privilege(4, 1800));
    }

    @Test
    void privilegesWithoutOwnLimitStayUnlimited() {
        String token = TestTokens.sign(CERT, APP_ID, T0.getEpochSecond(), 600,
                new Service.Rtc(List.of(new Privilege(1, 0)), "room", "9"));

        AccessToken2 content = decodePrimary(renew(token, 0));

        assertThat(content.services()).containsExactly(new Service.Rtc(List.of(new Privilege(1, 0)), "room", "9"));
    }

    @Test
    void anOverlongOriginalLifetimeIsCappedAtTheMaximum() {
        String token = TestTokens.sign(CERT, APP_ID, T0.getEpochSecond(), 200_000,
                new Service.Rtm(List.of(new Privilege(1, 200_000)), "u"));

        IssuedToken renewed = renew(token, 0);

        assertThat(renewed.getTtlSeconds()).isEqualTo(86400);
        assertThat(decodePrimary(renewed).services()).containsExactly(new Service.Rtm(List.of(new Privilege(1, 86400)), "u"));
    }

    @Test
    void theOriginalLifetimeIsLoweredToTheCallersPolicyMaximum() {
        try (TestServer limited = TestServer.inProcess(b -> b.app(APP_ID, CERT)
                .maxTtlForCaller(caller -> java.util.OptionalLong.of(900)))) {
            String token = TestTokens.sign(CERT, APP_ID, T0.getEpochSecond(), 3600,
                    new Service.Rtm(List.of(new Privilege(1, 3600)), "u"));

            IssuedToken renewed = limited.stub().renewToken(RenewTokenRequest.newBuilder().setToken(token).build());
            assertThat(renewed.getTtlSeconds()).isEqualTo(900);
            assertThat(limited.gate.last().ttlSeconds()).isEqualTo(900);

            // An explicit lifetime is not lowered: the access gate judges it.
            limited.stub().renewToken(RenewTokenRequest.newBuilder().setToken(token).setTtlSeconds(1800).build());
            assertThat(limited.gate.last().ttlSeconds()).isEqualTo(1800);
        }
    }

    @Test
    void rtmAndChatTokensAreRenewable() {
        IssuedToken rtm = server.stub().issueRtmToken(IssueRtmTokenRequest.newBuilder().setUserId("u1").build());
        IssuedToken chatUser = server.stub().issueChatToken(IssueChatTokenRequest.newBuilder().setUserId("c1").build());
        IssuedToken chatApp = server.stub().issueChatToken(IssueChatTokenRequest.newBuilder()
                .setApp(ChatAppToken.getDefaultInstance()).build());

        assertThat(decodePrimary(renew(rtm.getToken(), 0)).services()).isEqualTo(decodePrimary(rtm).services());
        assertThat(decodePrimary(renew(chatUser.getToken(), 0)).services()).isEqualTo(decodePrimary(chatUser).services());
        assertThat(decodePrimary(renew(chatApp.getToken(), 0)).services()).isEqualTo(decodePrimary(chatApp).services());
        assertThat(server.gate.last().services()).containsExactly(RequestedService.chat(""));
    }

    @Test
    void theGateJudgesTheRenewedGrants() {
        IssuedToken old = issuePublisher(600, null);
        server.gate.reset();

        renew(old.getToken(), 900);

        assertThat(server.gate.requests()).containsExactly(new GrantRequest(Rpc.RENEW_TOKEN, APP_ID,
                List.of(RequestedService.rtc("room-1", "1234", RtcRole.PUBLISHER), RequestedService.rtm("1234")), 900));
    }

    @Test
    void aSubscriberTokenIsJudgedAsSubscriber() {
        IssuedToken old = server.stub().issueRtcToken(IssueRtcTokenRequest.newBuilder().setChannel("c").setAccount("a")
                .setRole(io.tokenservice.proto.v1.RtcRole.RTC_ROLE_SUBSCRIBER).build());

        renew(old.getToken(), 0);

        assertThat(server.gate.last().services()).containsExactly(RequestedService.rtc("c", "a", RtcRole.SUBSCRIBER));
    }

    @Test
    void aPolicyThatNoLongerAllowsTheGrantRefusesTheRenewal() {
        IssuedToken old = issuePublisher(600, null);
        server.gate.denyAll("policy no longer allows channel room-1");

        var e = failure(Status.Code.PERMISSION_DENIED, () -> renew(old.getToken(), 0));

        assertThat(e.getStatus().getDescription()).isEqualTo("policy no longer allows channel room-1");
    }

    @Test
    void aTokenWithinTheRenewalGraceIsRenewed() {
        IssuedToken old = issuePublisher(600, null);
        server.clock.advance(Duration.ofSeconds(600 + 300));

        IssuedToken renewed = renew(old.getToken(), 0);

        assertThat(renewed.getIssuedAt().getSeconds()).isEqualTo(T0.getEpochSecond() + 900);
    }

    @Test
    void aTokenExpiredLongerThanTheGraceIsRefusedWithTokenExpired() {
        IssuedToken old = issuePublisher(600, null);
        server.clock.advance(Duration.ofSeconds(600 + 301));

        StatusRuntimeException e = failure(Status.Code.FAILED_PRECONDITION, () -> renew(old.getToken(), 0));

        ErrorInfo info = errorInfo(e);
        assertThat(info.getReason()).isEqualTo("TOKEN_EXPIRED");
        assertThat(info.getDomain()).isEqualTo("tokenservice.v1");
        assertThat(info.getMetadataMap()).containsEntry("renew_grace_seconds", "300")
                .containsEntry("expired_at", T0.plusSeconds(600).toString());
        assertThat(e.getStatus().getDescription()).contains("issue a new token");
        assertThat(server.gate.requests()).as("only the issue call").hasSize(1);
    }

    @Test
    void theGraceIsConfigurable() {
        try (TestServer strict = TestServer.inProcess(b -> b.app(APP_ID, CERT).renewGrace(Duration.ZERO))) {
            String token = TestTokens.sign(CERT, APP_ID, T0.getEpochSecond() - 700, 600,
                    new Service.Rtm(List.of(new Privilege(1, 600)), "u"));
            StatusRuntimeException e = failure(Status.Code.FAILED_PRECONDITION, () -> strict.stub().renewToken(
                    RenewTokenRequest.newBuilder().setToken(token).build()));
            assertThat(errorInfo(e).getMetadataMap()).containsEntry("renew_grace_seconds", "0");
        }
    }

    @Test
    void aTamperedTokenIsRefused() {
        IssuedToken old = issuePublisher(600, null);
        String tampered = TestTokens.tamper(old.getToken(), "room-1", "room-2");

        var e = failure(Status.Code.PERMISSION_DENIED, () -> renew(tampered, 0));

        assertThat(e.getStatus().getDescription()).contains("signature does not verify").contains(APP_ID)
                .doesNotContain(tampered);
        assertThat(server.gate.requests()).as("an unverified token is never shown to the gate").hasSize(1);
        AuditEvent event = server.audit.last();
        assertThat(event.outcome()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(event.grant()).isEmpty();
    }

    @Test
    void aTokenSignedWithAnotherCertificateIsRefused() {
        String foreign = TestTokens.sign(FOREIGN_CERT, APP_ID, T0.getEpochSecond(), 600,
                TestTokens.rtcPublisher("room", "1", 600));

        failure(Status.Code.PERMISSION_DENIED, () -> renew(foreign, 0));
    }

    @Test
    void aTokenFromTheSecondaryCertificateIsRenewedWithThePrimary() {
        // Before the rotation, OLD_CERT was the primary and signed this token.
        String beforeRotation = TestTokens.sign(OLD_CERT, APP_ID, T0.getEpochSecond() - 100, 600,
                TestTokens.rtcPublisher("room", "1", 600));

        IssuedToken renewed = renew(beforeRotation, 0);

        ParsedAccessToken2 parsed = AccessToken2Codec.decode(renewed.getToken());
        assertThat(parsed.verify(CERT)).isTrue();
        assertThat(parsed.verify(OLD_CERT)).isFalse();
        assertThat(parsed.content().services()).containsExactly(TestTokens.rtcPublisher("room", "1", 600));
    }

    @Test
    void aTokenForAnUnknownAppIsNotFound() {
        String token = TestTokens.sign(CERT, UNKNOWN_APP_ID, T0.getEpochSecond(), 600,
                new Service.Rtm(List.of(new Privilege(1, 600)), "u"));

        var e = failure(Status.Code.NOT_FOUND, () -> renew(token, 0));

        assertThat(e.getStatus().getDescription()).contains(UNKNOWN_APP_ID);
    }

    @Test
    void a006RtcTokenIsRenewedAs006WithTheSamePrivilegesAndANewExpiry() {
        IssuedToken old = server.stub().issueRtcToken(IssueRtcTokenRequest.newBuilder().setChannel("room")
                .setUid(42).setRole(io.tokenservice.proto.v1.RtcRole.RTC_ROLE_PUBLISHER).setTtlSeconds(600)
                .setTokenVersion(TokenVersion.TOKEN_VERSION_006).build());
        server.clock.advance(Duration.ofSeconds(570));

        IssuedToken renewed = server.stub().renewToken(RenewTokenRequest.newBuilder().setToken(old.getToken())
                .setChannel("room").setUid(42).build());

        assertThat(renewed.getToken()).startsWith("006").isNotEqualTo(old.getToken());
        ParsedAccessToken parsed = AccessTokenCodec.decode(renewed.getToken());
        assertThat(parsed.verify(CERT, "room", "42")).isTrue();
        assertThat(parsed.content().privileges()).extracting(Privilege::key).containsExactly(AccessToken.JOIN_CHANNEL,
                AccessToken.PUBLISH_AUDIO_STREAM, AccessToken.PUBLISH_VIDEO_STREAM, AccessToken.PUBLISH_DATA_STREAM);
        assertThat(parsed.content().privileges()).extracting(Privilege::value)
                .containsOnly(T0.getEpochSecond() + 570 + 600);
        assertThat(renewed.getTtlSeconds()).as("ttl 0 = the original lifetime").isEqualTo(600);
        assertThat(server.gate.last()).isEqualTo(new GrantRequest(Rpc.RENEW_TOKEN, APP_ID,
                List.of(RequestedService.rtc("room", "42", RtcRole.PUBLISHER)), 600));
    }

    @Test
    void a006RtmTokenIsRenewedWithItsUserId() {
        IssuedToken old = server.stub().issueRtmToken(IssueRtmTokenRequest.newBuilder().setUserId("u-7")
                .setTtlSeconds(300).setTokenVersion(TokenVersion.TOKEN_VERSION_006).build());

        IssuedToken renewed = server.stub().renewToken(RenewTokenRequest.newBuilder().setToken(old.getToken())
                .setRtmUserId("u-7").setTtlSeconds(900).build());

        ParsedAccessToken parsed = AccessTokenCodec.decode(renewed.getToken());
        assertThat(parsed.verify(CERT, "u-7", "")).isTrue();
        assertThat(parsed.content().privileges()).singleElement().satisfies(p -> {
            assertThat(p.key()).isEqualTo(AccessToken.RTM_LOGIN);
            assertThat(p.value()).isEqualTo(T0.getEpochSecond() + 900);
        });
    }

    @Test
    void a006TokenNeedsTheChannelAndIdentityItWasIssuedFor() {
        TokenIssuer legacy = new TokenIssuer(Clock.fixed(T0, ZoneOffset.UTC), SaltSource.fixed(1), TokenLimits.agoraDefault());
        String token006 = legacy.issueLegacyRtc(new AppCredentials(APP_ID, CERT), "room", RtcIdentity.uid(1),
                LegacyRole.PUBLISHER, T0.getEpochSecond() + 600);

        assertThat(fieldViolations(failure(Status.Code.INVALID_ARGUMENT, () -> renew(token006, 0))).keySet())
                .containsExactly("channel", "identity");
        assertThat(invalid("channel", () -> server.stub().renewToken(RenewTokenRequest.newBuilder()
                .setToken(token006).setChannel("room").setUid(2).build()))).contains("CRC32");
        String rtm006 = legacy.issueLegacyRtm(new AppCredentials(APP_ID, CERT), "u", T0.getEpochSecond() + 600);
        assertThat(invalid("rtm_user_id", () -> renew(rtm006, 0))).contains("required");
        assertThat(server.gate.requests()).as("nothing unverified reaches the gate").isEmpty();
    }

    @Test
    void a006TokenSignedWithAnotherCertificateIsRefused() {
        TokenIssuer legacy = new TokenIssuer(Clock.fixed(T0, ZoneOffset.UTC), SaltSource.fixed(1), TokenLimits.agoraDefault());
        String forged = legacy.issueLegacyRtc(new AppCredentials(APP_ID, FOREIGN_CERT), "room", RtcIdentity.uid(1),
                LegacyRole.SUBSCRIBER, T0.getEpochSecond() + 600);

        failure(Status.Code.PERMISSION_DENIED, () -> server.stub().renewToken(RenewTokenRequest.newBuilder()
                .setToken(forged).setChannel("room").setUid(1).build()));
    }

    @Test
    void aRenewalThatWouldKeepALifetimeUnderThirtySecondsIsRefused() {
        String shortLived = TestTokens.sign(CERT, APP_ID, T0.getEpochSecond(), 20,
                TestTokens.rtcPublisher("room", "1", 20));

        assertThat(invalid("ttl_seconds", () -> renew(shortLived, 0))).contains("20 s").contains("at least 30");
        assertThat(invalid("ttl_seconds", () -> renew(shortLived, 29))).contains("at least 30");
        assertThat(renew(shortLived, 60).getTtlSeconds()).isEqualTo(60);
    }

    @Test
    void tokenIsRequired() {
        assertThat(invalid("token", () -> renew("", 0))).contains("required");
        invalid("token", () -> renew("   ", 0));
    }

    @Test
    void anUnparseableTokenIsInvalid() {
        assertThat(invalid("token", () -> renew("hello", 0))).contains("not a valid 007 token");
        invalid("token", () -> renew("007!!!notbase64", 0));
        invalid("token", () -> renew("007AAAA", 0));
        IssuedToken good = issuePublisher(600, null);
        invalid("token", () -> renew(good.getToken().substring(0, good.getToken().length() / 2), 0));
    }

    @Test
    void ttlIsAtMostOneDay() {
        IssuedToken old = issuePublisher(600, null);

        invalid("ttl_seconds", () -> renew(old.getToken(), 86401));
        assertThat(fieldViolations(failure(() -> renew("", 90000))).keySet()).containsExactly("token", "ttl_seconds");
    }

    @Test
    void servicesThisServerDoesNotIssueAreNotRenewed() {
        String streaming = TestTokens.sign(CERT, APP_ID, T0.getEpochSecond(), 600,
                new Service.Streaming(List.of(new Privilege(1, 600)), "room", "acct"));
        String noJoin = TestTokens.sign(CERT, APP_ID, T0.getEpochSecond(), 600,
                new Service.Rtc(List.of(new Privilege(2, 600)), "room", "1"));
        String oddKey = TestTokens.sign(CERT, APP_ID, T0.getEpochSecond(), 600,
                new Service.Rtc(List.of(new Privilege(1, 600), new Privilege(9, 600)), "room", "1"));
        String chatMixture = TestTokens.sign(CERT, APP_ID, T0.getEpochSecond(), 600,
                new Service.Chat(List.of(new Privilege(Service.CHAT_APP, 600)), "user"));

        assertThat(invalid("token", () -> renew(streaming, 0))).contains("streaming");
        assertThat(invalid("token", () -> renew(noJoin, 0))).contains("join");
        assertThat(invalid("token", () -> renew(oddKey, 0))).contains("privilege 9");
        invalid("token", () -> renew(chatMixture, 0));
    }

    @Test
    void aRenewalIsAuditedWithTheNewTokensDigestAndTheOldOneInTheReason() {
        IssuedToken old = issuePublisher(600, null);

        IssuedToken renewed = renew(old.getToken(), 0);

        AuditEvent event = server.audit.last();
        assertThat(event.rpc()).isEqualTo(Rpc.RENEW_TOKEN);
        assertThat(event.outcome()).isEqualTo(Status.Code.OK);
        assertThat(event.tokenSha256Prefix()).contains(renewed.getTokenSha256Prefix());
        assertThat(event.reason()).contains(old.getTokenSha256Prefix());
        assertThat(event.toString()).doesNotContain(old.getToken()).doesNotContain(renewed.getToken());
    }
}
