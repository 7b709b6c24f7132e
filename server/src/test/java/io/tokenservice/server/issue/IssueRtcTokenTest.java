package io.tokenservice.server.issue;

import static io.tokenservice.server.testing.Statuses.failure;
import static io.tokenservice.server.testing.Statuses.fieldViolations;
import static io.tokenservice.server.testing.Statuses.invalid;
import static io.tokenservice.server.testing.TestApps.APP_ID;
import static io.tokenservice.server.testing.TestApps.CERT;
import static io.tokenservice.server.testing.TestApps.T0;
import static io.tokenservice.server.testing.TestApps.UNKNOWN_APP_ID;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.grpc.Status;
import io.tokenservice.core.issue.RtcRole;
import io.tokenservice.core.token.AccessToken;
import io.tokenservice.core.token.AccessToken2;
import io.tokenservice.core.token.AccessToken2Codec;
import io.tokenservice.core.token.AccessTokenCodec;
import io.tokenservice.core.token.ParsedAccessToken;
import io.tokenservice.core.token.ParsedAccessToken2;
import io.tokenservice.core.token.Privilege;
import io.tokenservice.core.token.Service;
import io.tokenservice.proto.v1.IssueRtcTokenRequest;
import io.tokenservice.proto.v1.IssuedToken;
import io.tokenservice.proto.v1.PrivilegeGrant;
import io.tokenservice.proto.v1.RtcPrivilegeTtls;
import io.tokenservice.proto.v1.ServiceGrant;
import io.tokenservice.proto.v1.ServiceType;
import io.tokenservice.server.access.AuditEvent;
import io.tokenservice.server.access.Caller;
import io.tokenservice.server.access.GrantRequest;
import io.tokenservice.server.access.RequestedService;
import io.tokenservice.server.access.Rpc;
import io.tokenservice.server.rpc.TokenDigest;
import io.tokenservice.server.testing.TokenServerExtension;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** IssueRtcToken against a real Netty server on an ephemeral port. */
class IssueRtcTokenTest {
    @RegisterExtension
    static final TokenServerExtension server = new TokenServerExtension();

    private static IssueRtcTokenRequest.Builder publisher(String channel, int uid) {
        return IssueRtcTokenRequest.newBuilder()
                .setChannel(channel)
                .setUid(uid)
                .setRole(io.tokenservice.proto.v1.RtcRole.RTC_ROLE_PUBLISHER);
    }

    private static ParsedAccessToken2 decode(IssuedToken issued) {
        ParsedAccessToken2 parsed = AccessToken2Codec.decode(issued.getToken());
        assertThat(parsed.verify(CERT)).as("signed with the primary certificate").isTrue();
        return parsed;
    }

    private static Timestamp at(long secondsAfterT0) {
        return Timestamp.newBuilder().setSeconds(T0.getEpochSecond() + secondsAfterT0).build();
    }

    @Test
    void publisherTokenDecodesToExactlyTheRequestedGrant() {
        long salt = server.nextSalt();
        IssuedToken issued = server.stub().issueRtcToken(publisher("room-1", 1234).setTtlSeconds(600).build());

        AccessToken2 expected = new AccessToken2(APP_ID, T0.getEpochSecond(), 600, salt, List.of(
                new Service.Rtc(List.of(new Privilege(1, 600), new Privilege(2, 600), new Privilege(3, 600),
                        new Privilege(4, 600)), "room-1", "1234")));
        assertThat(decode(issued).content()).isEqualTo(expected);

        assertThat(issued.getAppId()).isEqualTo(APP_ID);
        assertThat(issued.getTtlSeconds()).isEqualTo(600);
        assertThat(issued.getIssuedAt()).isEqualTo(at(0));
        assertThat(issued.getExpiresAt()).isEqualTo(at(600));
        assertThat(issued.getTokenSha256Prefix()).hasSize(12).matches("[0-9a-f]{12}")
                .isEqualTo(TokenDigest.sha256Prefix(issued.getToken()));
        assertThat(issued.getServicesList()).containsExactly(ServiceGrant.newBuilder()
                .setService(ServiceType.SERVICE_TYPE_RTC)
                .setChannel("room-1")
                .setUid("1234")
                .addPrivileges(privilege(io.tokenservice.proto.v1.Privilege.PRIVILEGE_RTC_JOIN_CHANNEL, 1, 600))
                .addPrivileges(privilege(io.tokenservice.proto.v1.Privilege.PRIVILEGE_RTC_PUBLISH_AUDIO_STREAM, 2, 600))
                .addPrivileges(privilege(io.tokenservice.proto.v1.Privilege.PRIVILEGE_RTC_PUBLISH_VIDEO_STREAM, 3, 600))
                .addPrivileges(privilege(io.tokenservice.proto.v1.Privilege.PRIVILEGE_RTC_PUBLISH_DATA_STREAM, 4, 600))
                .build());
    }

    private static PrivilegeGrant privilege(io.tokenservice.proto.v1.Privilege privilege, int key, long seconds) {
        return PrivilegeGrant.newBuilder().setPrivilege(privilege).setAgoraKey(key).setExpiresAt(at(seconds)).build();
    }

    @Test
    void subscriberWithAccountAndDefaultLifetime() {
        IssuedToken issued = server.stub().issueRtcToken(IssueRtcTokenRequest.newBuilder()
                .setChannel("Lobby #1")
                .setAccount("alice@example.com")
                .setRole(io.tokenservice.proto.v1.RtcRole.RTC_ROLE_SUBSCRIBER)
                .build());

        AccessToken2 content = decode(issued).content();
        assertThat(content.expire()).isEqualTo(3600);
        assertThat(content.services()).containsExactly(
                new Service.Rtc(List.of(new Privilege(1, 3600)), "Lobby #1", "alice@example.com"));
        assertThat(issued.getTtlSeconds()).isEqualTo(3600);
        assertThat(issued.getExpiresAt()).isEqualTo(at(3600));
    }

    @Test
    void uidZeroAndEmptyAccountAreTheWildcard() {
        IssuedToken byUid = server.stub().issueRtcToken(publisher("room", 0).build());
        IssuedToken byAccount = server.stub().issueRtcToken(IssueRtcTokenRequest.newBuilder()
                .setChannel("room").setAccount("").setRole(io.tokenservice.proto.v1.RtcRole.RTC_ROLE_SUBSCRIBER).build());

        assertThat(((Service.Rtc) decode(byUid).content().services().get(0)).uid()).isEmpty();
        assertThat(((Service.Rtc) decode(byAccount).content().services().get(0)).uid()).isEmpty();
        assertThat(byUid.getServices(0).getUid()).isEmpty();
        assertThat(server.gate.last().services().get(0).isWildcard()).isTrue();
    }

    @Test
    void largestUidIsEncodedUnsigned() {
        IssuedToken issued = server.stub().issueRtcToken(publisher("room", -1).build());

        assertThat(((Service.Rtc) decode(issued).content().services().get(0)).uid()).isEqualTo("4294967295");
    }

    @Test
    void privilegeLifetimesAreEncodedPerPrivilege() {
        IssuedToken issued = server.stub().issueRtcToken(publisher("room", 7).setTtlSeconds(3600)
                .setPrivilegeTtls(RtcPrivilegeTtls.newBuilder()
                        .setJoinChannelSeconds(1800)
                        .setPublishAudioSeconds(600)
                        .setPublishVideoSeconds(0) // = the token's
                        .setPublishDataSeconds(60))
                .build());

        assertThat(decode(issued).content().services()).containsExactly(new Service.Rtc(List.of(
                new Privilege(1, 1800), new Privilege(2, 600), new Privilege(3, 3600), new Privilege(4, 60)), "room", "7"));
        assertThat(issued.getServices(0).getPrivileges(1).getExpiresAt()).isEqualTo(at(600));
    }

    @Test
    void publishLifetimesAreIgnoredForSubscribers() {
        IssuedToken issued = server.stub().issueRtcToken(IssueRtcTokenRequest.newBuilder()
                .setChannel("room").setUid(5).setRole(io.tokenservice.proto.v1.RtcRole.RTC_ROLE_SUBSCRIBER)
                .setTtlSeconds(600)
                .setPrivilegeTtls(RtcPrivilegeTtls.newBuilder().setJoinChannelSeconds(300).setPublishAudioSeconds(99999))
                .build());

        assertThat(decode(issued).content().services()).containsExactly(
                new Service.Rtc(List.of(new Privilege(1, 300)), "room", "5"));
    }

    @Test
    void includeRtmUsesTheUidInDecimalByDefault() {
        IssuedToken issued = server.stub().issueRtcToken(publisher("room", 1234).setTtlSeconds(900).setIncludeRtm(true).build());

        List<Service> services = decode(issued).content().services();
        assertThat(services).hasSize(2);
        assertThat(services.get(1)).isEqualTo(new Service.Rtm(List.of(new Privilege(1, 900)), "1234"));
        assertThat(issued.getServices(1).getService()).isEqualTo(ServiceType.SERVICE_TYPE_RTM);
        assertThat(issued.getServices(1).getUserId()).isEqualTo("1234");
        assertThat(issued.getServices(1).getPrivileges(0).getPrivilege())
                .isEqualTo(io.tokenservice.proto.v1.Privilege.PRIVILEGE_RTM_LOGIN);
    }

    @Test
    void includeRtmUsesTheAccountOrTheExplicitUserId() {
        IssuedToken byAccount = server.stub().issueRtcToken(IssueRtcTokenRequest.newBuilder().setChannel("room")
                .setAccount("bob").setRole(io.tokenservice.proto.v1.RtcRole.RTC_ROLE_PUBLISHER).setIncludeRtm(true).build());
        IssuedToken explicit = server.stub().issueRtcToken(publisher("room", 0).setIncludeRtm(true)
                .setRtmUserId("rtm-user").build());

        assertThat(((Service.Rtm) decode(byAccount).content().services().get(1)).userId()).isEqualTo("bob");
        assertThat(((Service.Rtm) decode(explicit).content().services().get(1)).userId()).isEqualTo("rtm-user");
    }

    @Test
    void rtmUserIdIsIgnoredWithoutIncludeRtm() {
        IssuedToken issued = server.stub().issueRtcToken(publisher("room", 1).setRtmUserId(" not valid").build());

        assertThat(decode(issued).content().services()).hasSize(1);
    }

    @Test
    void explicitAppIdIsAccepted() {
        IssuedToken issued = server.stub().issueRtcToken(publisher("room", 1).setAppId(APP_ID).build());

        assertThat(decode(issued).content().appId()).isEqualTo(APP_ID);
    }

    @Test
    void eachCallGetsANewSalt() {
        IssuedToken first = server.stub().issueRtcToken(publisher("room", 1).build());
        IssuedToken second = server.stub().issueRtcToken(publisher("room", 1).build());

        assertThat(first.getToken()).isNotEqualTo(second.getToken());
        assertThat(decode(second).content().salt()).isEqualTo(decode(first).content().salt() + 1);
    }

    // --- validation: each rule gives INVALID_ARGUMENT naming exactly the offending field ---

    @Test
    void channelIsRequired() {
        assertThat(invalid("channel", () -> server.stub().issueRtcToken(publisher("", 1).build())))
                .isEqualTo("is required");
    }

    @Test
    void channelMustUseAgorasCharacterSet() {
        assertThat(invalid("channel", () -> server.stub().issueRtcToken(publisher("room/1", 1).build())))
                .contains("'/'");
        invalid("channel", () -> server.stub().issueRtcToken(publisher("kanal-ü", 1).build()));
        invalid("channel", () -> server.stub().issueRtcToken(publisher("tab\there", 1).build()));
    }

    @Test
    void channelIsAtMost64Bytes() {
        server.stub().issueRtcToken(publisher("c".repeat(64), 1).build());
        assertThat(invalid("channel", () -> server.stub().issueRtcToken(publisher("c".repeat(65), 1).build())))
                .contains("64");
    }

    @Test
    void identityIsRequired() {
        assertThat(invalid("identity", () -> server.stub().issueRtcToken(IssueRtcTokenRequest.newBuilder()
                .setChannel("room").setRole(io.tokenservice.proto.v1.RtcRole.RTC_ROLE_PUBLISHER).build())))
                .contains("uid or account");
    }

    @Test
    void accountMustBeValid() {
        invalid("account", () -> server.stub().issueRtcToken(IssueRtcTokenRequest.newBuilder().setChannel("room")
                .setAccount("a/b").setRole(io.tokenservice.proto.v1.RtcRole.RTC_ROLE_PUBLISHER).build()));
        assertThat(invalid("account", () -> server.stub().issueRtcToken(IssueRtcTokenRequest.newBuilder()
                .setChannel("room").setAccount("a".repeat(256))
                .setRole(io.tokenservice.proto.v1.RtcRole.RTC_ROLE_PUBLISHER).build()))).contains("255");
    }

    @Test
    void roleIsRequired() {
        assertThat(invalid("role", () -> server.stub().issueRtcToken(IssueRtcTokenRequest.newBuilder()
                .setChannel("room").setUid(1).build()))).startsWith("is required");
    }

    @Test
    void anUnknownRoleNumberIsNamedNotCalledMissing() {
        assertThat(invalid("role", () -> server.stub().issueRtcToken(IssueRtcTokenRequest.newBuilder()
                .setChannel("room").setUid(1).setRoleValue(7).build())))
                .startsWith("has the unknown value 7").contains("RTC_ROLE_PUBLISHER (1)").doesNotContain("required");
    }

    @Test
    void tokenVersion006MintsALegacyTokenWithTheRolesPrivilegesEndingAfterTheTtl() {
        IssuedToken issued = server.stub().issueRtcToken(publisher("room", 1234).setTtlSeconds(600)
                .setTokenVersion(io.tokenservice.proto.v1.TokenVersion.TOKEN_VERSION_006).build());

        assertThat(issued.getToken()).startsWith("006");
        ParsedAccessToken legacy = AccessTokenCodec.decode(issued.getToken());
        assertThat(legacy.verify(CERT, "room", "1234")).isTrue();
        assertThat(legacy.content().appId()).isEqualTo(APP_ID);
        assertThat(legacy.content().privileges()).extracting(p -> p.key()).containsExactly(
                AccessToken.JOIN_CHANNEL, AccessToken.PUBLISH_AUDIO_STREAM, AccessToken.PUBLISH_VIDEO_STREAM,
                AccessToken.PUBLISH_DATA_STREAM);
        assertThat(legacy.content().privileges()).allSatisfy(p -> assertThat(p.value())
                .isEqualTo(T0.getEpochSecond() + 600));
        assertThat(issued.getIssuedAt()).isEqualTo(at(0));
        assertThat(issued.getExpiresAt()).isEqualTo(at(600));
        assertThat(issued.getTtlSeconds()).isEqualTo(600);
        assertThat(issued.getServicesList()).singleElement().satisfies(rtc -> {
            assertThat(rtc.getService()).isEqualTo(ServiceType.SERVICE_TYPE_RTC);
            assertThat(rtc.getChannel()).isEqualTo("room");
            assertThat(rtc.getUid()).isEqualTo("1234");
            assertThat(rtc.getPrivilegesList()).hasSize(4);
        });
        assertThat(issued.getTokenSha256Prefix()).isEqualTo(TokenDigest.sha256Prefix(issued.getToken()));

        IssuedToken subscriber = server.stub().issueRtcToken(IssueRtcTokenRequest.newBuilder().setChannel("room")
                .setAccount("ann").setRole(io.tokenservice.proto.v1.RtcRole.RTC_ROLE_SUBSCRIBER)
                .setTokenVersion(io.tokenservice.proto.v1.TokenVersion.TOKEN_VERSION_006).build());
        ParsedAccessToken sub = AccessTokenCodec.decode(subscriber.getToken());
        assertThat(sub.verify(CERT, "room", "ann")).isTrue();
        assertThat(sub.content().privileges()).extracting(p -> p.key()).containsExactly(AccessToken.JOIN_CHANNEL);
    }

    @Test
    void tokenVersion006RefusesWhat006CannotCarry() {
        var version006 = io.tokenservice.proto.v1.TokenVersion.TOKEN_VERSION_006;
        assertThat(invalid("include_rtm", () -> server.stub().issueRtcToken(publisher("room", 1)
                .setIncludeRtm(true).setTokenVersion(version006).build()))).contains("IssueRtmToken");
        invalid("privilege_ttls", () -> server.stub().issueRtcToken(publisher("room", 1).setTokenVersion(version006)
                .setPrivilegeTtls(RtcPrivilegeTtls.newBuilder().setPublishAudioSeconds(60)).build()));
        assertThat(invalid("token_version", () -> server.stub().issueRtcToken(publisher("room", 1)
                .setTokenVersionValue(9).build()))).startsWith("has the unknown value 9");
        assertThat(server.stub().issueRtcToken(publisher("room", 1)
                .setTokenVersion(io.tokenservice.proto.v1.TokenVersion.TOKEN_VERSION_007).build()).getToken())
                .startsWith("007");
    }

    @Test
    void ttlUnderThirtySecondsIsRefused() {
        assertThat(invalid("ttl_seconds", () -> server.stub().issueRtcToken(publisher("room", 1).setTtlSeconds(29).build())))
                .contains("at least 30").contains("will expire");
        assertThat(server.stub().issueRtcToken(publisher("room", 1).setTtlSeconds(30).build()).getTtlSeconds())
                .isEqualTo(30);
    }

    @Test
    void appIdIsMatchedIgnoringCaseAndSignedAsConfigured() {
        IssuedToken issued = server.stub().issueRtcToken(publisher("room", 1)
                .setAppId(APP_ID.toUpperCase(java.util.Locale.ROOT)).build());

        assertThat(issued.getAppId()).isEqualTo(APP_ID);
        assertThat(decode(issued).content().appId()).isEqualTo(APP_ID);
        assertThat(server.gate.last().appId()).as("what policy judged").isEqualTo(APP_ID);
    }

    @Test
    void ttlIsAtMostOneDay() {
        IssuedToken longest = server.stub().issueRtcToken(publisher("room", 1).setTtlSeconds(86400).build());
        assertThat(longest.getTtlSeconds()).isEqualTo(86400);

        assertThat(invalid("ttl_seconds", () -> server.stub().issueRtcToken(publisher("room", 1).setTtlSeconds(86401).build())))
                .contains("86400");
        invalid("ttl_seconds", () -> server.stub().issueRtcToken(publisher("room", 1).setTtlSeconds(-1).build()));
    }

    @Test
    void eachPrivilegeLifetimeIsAtMostTheTokenLifetime() {
        Map<String, RtcPrivilegeTtls> cases = Map.of(
                "privilege_ttls.join_channel_seconds", RtcPrivilegeTtls.newBuilder().setJoinChannelSeconds(601).build(),
                "privilege_ttls.publish_audio_seconds", RtcPrivilegeTtls.newBuilder().setPublishAudioSeconds(601).build(),
                "privilege_ttls.publish_video_seconds", RtcPrivilegeTtls.newBuilder().setPublishVideoSeconds(601).build(),
                "privilege_ttls.publish_data_seconds", RtcPrivilegeTtls.newBuilder().setPublishDataSeconds(601).build());
        cases.forEach((field, ttls) -> assertThat(invalid(field, () -> server.stub().issueRtcToken(
                publisher("room", 1).setTtlSeconds(600).setPrivilegeTtls(ttls).build())))
                .contains("600"));
    }

    @Test
    void privilegeLifetimesAreCheckedAgainstTheDefaultLifetime() {
        invalid("privilege_ttls.join_channel_seconds", () -> server.stub().issueRtcToken(publisher("room", 1)
                .setPrivilegeTtls(RtcPrivilegeTtls.newBuilder().setJoinChannelSeconds(3601)).build()));
    }

    @Test
    void wildcardWithRtmNeedsAnRtmUserId() {
        assertThat(invalid("rtm_user_id", () -> server.stub().issueRtcToken(publisher("room", 0).setIncludeRtm(true).build())))
                .contains("wildcard");
        invalid("rtm_user_id", () -> server.stub().issueRtcToken(IssueRtcTokenRequest.newBuilder().setChannel("room")
                .setAccount("").setRole(io.tokenservice.proto.v1.RtcRole.RTC_ROLE_PUBLISHER).setIncludeRtm(true).build()));
    }

    @Test
    void rtmUserIdMustBeAValidRtmUserId() {
        assertThat(invalid("rtm_user_id", () -> server.stub().issueRtcToken(publisher("room", 1).setIncludeRtm(true)
                .setRtmUserId(" leading-space").build()))).contains("space");
        // Derived from an account that is valid for RTC but too long for RTM.
        assertThat(invalid("rtm_user_id", () -> server.stub().issueRtcToken(IssueRtcTokenRequest.newBuilder()
                .setChannel("room").setAccount("a".repeat(65)).setRole(io.tokenservice.proto.v1.RtcRole.RTC_ROLE_PUBLISHER)
                .setIncludeRtm(true).build()))).contains("set rtm_user_id");
    }

    @Test
    void appIdMustBe32HexCharacters() {
        invalid("app_id", () -> server.stub().issueRtcToken(publisher("room", 1).setAppId("not-an-app-id").build()));
    }

    @Test
    void everyViolationIsReportedAtOnce() {
        Map<String, String> violations = fieldViolations(failure(Status.Code.INVALID_ARGUMENT,
                () -> server.stub().issueRtcToken(IssueRtcTokenRequest.newBuilder()
                        .setChannel("bad/channel").setTtlSeconds(100000).build())));

        assertThat(violations.keySet()).containsExactly("channel", "identity", "role", "ttl_seconds");
    }

    @Test
    void statusMessageNamesTheFields() {
        var e = failure(Status.Code.INVALID_ARGUMENT, () -> server.stub().issueRtcToken(publisher("", 1).build()));

        assertThat(e.getStatus().getDescription()).isEqualTo("invalid request: channel is required");
    }

    @Test
    void unknownAppIsNotFound() {
        var e = failure(Status.Code.NOT_FOUND, () -> server.stub().issueRtcToken(
                publisher("room", 1).setAppId(UNKNOWN_APP_ID).build()));

        assertThat(e.getStatus().getDescription()).contains(UNKNOWN_APP_ID).contains("not configured");
    }

    // --- access gate and audit ---

    @Test
    void theGateJudgesTheValidatedGrant() {
        server.stub().issueRtcToken(publisher("room", 42).setTtlSeconds(120).setIncludeRtm(true).build());

        assertThat(server.gate.last()).isEqualTo(new GrantRequest(Rpc.ISSUE_RTC_TOKEN, APP_ID,
                List.of(RequestedService.rtc("room", "42", RtcRole.PUBLISHER), RequestedService.rtm("42")), 120));
        assertThat(server.gate.callers()).containsExactly(new Caller("anonymous", Caller.AuthMethod.NONE));
    }

    @Test
    void invalidInputNeverReachesTheGate() {
        failure(Status.Code.INVALID_ARGUMENT, () -> server.stub().issueRtcToken(publisher("", 1).build()));

        assertThat(server.gate.requests()).isEmpty();
    }

    @Test
    void aRefusalFromTheGateIsPassedOnAndAudited() {
        server.gate.denyAll("policy 'mobile' allows channels matching 'room-*' only");

        var e = failure(Status.Code.PERMISSION_DENIED, () -> server.stub().issueRtcToken(publisher("other", 1).build()));

        assertThat(e.getStatus().getDescription()).isEqualTo("policy 'mobile' allows channels matching 'room-*' only");
        AuditEvent event = server.audit.last();
        assertThat(event.outcome()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(event.reason()).isEqualTo("policy 'mobile' allows channels matching 'room-*' only");
        assertThat(event.grant()).contains(server.gate.last());
        assertThat(event.tokenSha256Prefix()).isEmpty();
    }

    @Test
    void theGateIsAskedBeforeTheAppIsLookedUp() {
        server.gate.denyAll("app not allowed");

        failure(Status.Code.PERMISSION_DENIED, () -> server.stub().issueRtcToken(
                publisher("room", 1).setAppId(UNKNOWN_APP_ID).build()));
    }

    @Test
    void anIssuedTokenIsAuditedByItsDigestOnly() {
        IssuedToken issued = server.stub().issueRtcToken(publisher("room", 1).build());

        AuditEvent event = server.audit.last();
        assertThat(server.audit.events()).hasSize(1);
        assertThat(event.outcome()).isEqualTo(Status.Code.OK);
        assertThat(event.rpc()).isEqualTo(Rpc.ISSUE_RTC_TOKEN);
        assertThat(event.reason()).isEqualTo("issued");
        assertThat(event.at()).isEqualTo(T0);
        assertThat(event.caller()).contains(new Caller("anonymous", Caller.AuthMethod.NONE));
        assertThat(event.tokenSha256Prefix()).contains(issued.getTokenSha256Prefix());
        assertThat(event.toString()).doesNotContain(issued.getToken()).doesNotContain(CERT);
    }

    @Test
    void invalidInputIsAuditedWithoutAGrant() {
        failure(Status.Code.INVALID_ARGUMENT, () -> server.stub().issueRtcToken(publisher("", 1).build()));

        AuditEvent event = server.audit.last();
        assertThat(event.outcome()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(event.grant()).isEmpty();
        assertThat(event.reason()).contains("channel is required");
    }

    @Test
    void unknownAppIsAuditedWithItsGrant() {
        failure(Status.Code.NOT_FOUND, () -> server.stub().issueRtcToken(publisher("room", 1).setAppId(UNKNOWN_APP_ID).build()));

        AuditEvent event = server.audit.last();
        assertThat(event.outcome()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(event.grant().map(GrantRequest::appId)).isEqualTo(Optional.of(UNKNOWN_APP_ID));
    }
}
