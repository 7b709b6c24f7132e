package io.tokenservice.server.inspect;

import static io.tokenservice.server.testing.Statuses.failure;
import static io.tokenservice.server.testing.Statuses.fieldViolations;
import static io.tokenservice.server.testing.Statuses.invalid;
import static io.tokenservice.server.testing.TestApps.APP_ID;
import static io.tokenservice.server.testing.TestApps.CERT;
import static io.tokenservice.server.testing.TestApps.FOREIGN_CERT;
import static io.tokenservice.server.testing.TestApps.OLD_CERT;
import static io.tokenservice.server.testing.TestApps.OTHER_APP_ID;
import static io.tokenservice.server.testing.TestApps.T0;
import static io.tokenservice.server.testing.TestApps.UNKNOWN_APP_ID;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.tokenservice.core.issue.LegacyRole;
import io.tokenservice.core.issue.RtcIdentity;
import io.tokenservice.core.issue.SaltSource;
import io.tokenservice.core.issue.TokenIssuer;
import io.tokenservice.core.issue.TokenLimits;
import io.tokenservice.core.token.AccessTokenCodec;
import io.tokenservice.core.token.AppCredentials;
import io.tokenservice.core.token.Privilege;
import io.tokenservice.core.token.Service;
import io.tokenservice.proto.v1.InspectTokenRequest;
import io.tokenservice.proto.v1.InspectTokenResponse;
import io.tokenservice.proto.v1.IssueRtcTokenRequest;
import io.tokenservice.proto.v1.IssueRtmTokenRequest;
import io.tokenservice.proto.v1.IssuedToken;
import io.tokenservice.proto.v1.Problem;
import io.tokenservice.proto.v1.ProblemCode;
import io.tokenservice.proto.v1.RtcPrivilegeTtls;
import io.tokenservice.proto.v1.RtcRole;
import io.tokenservice.proto.v1.ServiceType;
import io.tokenservice.proto.v1.SignatureStatus;
import io.tokenservice.proto.v1.TokenVersion;
import io.tokenservice.server.access.GrantRequest;
import io.tokenservice.server.access.Rpc;
import io.tokenservice.server.rpc.TokenDigest;
import io.tokenservice.server.testing.TokenServerExtension;
import io.tokenservice.server.testing.TestTokens;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** InspectToken against a real Netty server: every SignatureStatus and ProblemCode, 006 and 007. */
class InspectTokenTest {
    @RegisterExtension
    static final TokenServerExtension server = new TokenServerExtension();

    private static IssuedToken issue(String channel, int uid, int ttl) {
        return server.stub().issueRtcToken(IssueRtcTokenRequest.newBuilder()
                .setChannel(channel).setUid(uid).setRole(RtcRole.RTC_ROLE_PUBLISHER).setTtlSeconds(ttl).build());
    }

    private static InspectTokenResponse inspect(InspectTokenRequest.Builder request) {
        return server.stub().inspectToken(request.build());
    }

    private static InspectTokenRequest.Builder token(String token) {
        return InspectTokenRequest.newBuilder().setToken(token);
    }

    private static List<ProblemCode> codes(InspectTokenResponse response) {
        return response.getProblemsList().stream().map(Problem::getCode).collect(Collectors.toList());
    }

    private static Problem problem(InspectTokenResponse response, ProblemCode code) {
        return response.getProblemsList().stream().filter(p -> p.getCode() == code).findFirst()
                .orElseThrow(() -> new AssertionError("no " + code + " in " + response.getProblemsList()));
    }

    private static String legacyRtc(String certificate, String channel, RtcIdentity identity, long privilegeExpiry) {
        TokenIssuer legacy = new TokenIssuer(Clock.fixed(T0, ZoneOffset.UTC), SaltSource.fixed(5), TokenLimits.agoraDefault());
        return legacy.issueLegacyRtc(new AppCredentials(APP_ID, certificate), channel, identity, LegacyRole.PUBLISHER,
                privilegeExpiry);
    }

    // --- 007 ---

    @Test
    void aGoodTokenForTheIntendedUseIsAccepted() {
        IssuedToken issued = issue("room", 1234, 600);

        InspectTokenResponse response = inspect(token(issued.getToken()).setChannel("room").setUid(1234).setAppId(APP_ID));

        assertThat(response.getVersion()).isEqualTo(TokenVersion.TOKEN_VERSION_007);
        assertThat(response.getAppId()).isEqualTo(APP_ID);
        assertThat(response.getIssuedAt()).isEqualTo(issued.getIssuedAt());
        assertThat(response.getExpiresAt()).isEqualTo(issued.getExpiresAt());
        assertThat(response.getSalt()).isEqualTo((int) decodeSalt(issued));
        assertThat(response.getServicesList()).isEqualTo(issued.getServicesList());
        assertThat(response.getSignature()).isEqualTo(SignatureStatus.SIGNATURE_STATUS_VALID);
        assertThat(response.getAccepted()).isTrue();
        assertThat(response.getProblemsList()).isEmpty();
        assertThat(response.getCrcChannel()).isZero();
        assertThat(response.getSummary())
                .contains("007 token for app " + APP_ID)
                .contains("channel \"room\" as uid 1234")
                .contains("primary certificate")
                .contains("Agora would accept it for channel \"room\" as uid 1234");
    }

    private static long decodeSalt(IssuedToken issued) {
        return io.tokenservice.core.token.AccessToken2Codec.decode(issued.getToken()).content().salt();
    }

    @Test
    void theServerTimeInTheSummaryHasWholeSeconds() {
        IssuedToken issued = issue("room", 1, 600);
        server.clock.set(T0.plusMillis(1500));

        assertThat(inspect(token(issued.getToken())).getSummary()).contains("server time now 2025-06-01T12:00:01Z)");
    }

    @Test
    void withoutIntentOnlyTheTokenItselfIsChecked() {
        InspectTokenResponse response = inspect(token(issue("room", 1, 600).getToken()));

        assertThat(response.getAccepted()).isTrue();
        assertThat(response.getProblemsList()).isEmpty();
        assertThat(response.getSummary()).contains("Agora would accept it.");
    }

    @Test
    void aTokenFromTheSecondaryCertificateVerifies() {
        String token = TestTokens.sign(OLD_CERT, APP_ID, T0.getEpochSecond(), 600, TestTokens.rtcPublisher("c", "1", 600));

        InspectTokenResponse response = inspect(token(token).setChannel("c").setUid(1));

        assertThat(response.getSignature()).isEqualTo(SignatureStatus.SIGNATURE_STATUS_VALID);
        assertThat(response.getAccepted()).isTrue();
        assertThat(response.getSummary()).contains("secondary certificate");
    }

    @Test
    void expired() {
        IssuedToken issued = issue("room", 1, 600);
        server.clock.advance(Duration.ofSeconds(700));

        InspectTokenResponse response = inspect(token(issued.getToken()).setChannel("room").setUid(1));

        assertThat(response.getAccepted()).isFalse();
        assertThat(codes(response)).containsExactly(ProblemCode.PROBLEM_CODE_EXPIRED);
        assertThat(problem(response, ProblemCode.PROBLEM_CODE_EXPIRED).getField()).isEqualTo("token");
        assertThat(problem(response, ProblemCode.PROBLEM_CODE_EXPIRED).getMessage())
                .contains(T0.plusSeconds(600).toString()).contains("100 seconds ago").contains("109");
        assertThat(response.getSummary()).contains("error 109").contains("expired");
        assertThat(response.getSignature()).isEqualTo(SignatureStatus.SIGNATURE_STATUS_VALID);
    }

    @Test
    void anExpiredPublishPrivilegeDoesNotPreventJoining() {
        IssuedToken issued = server.stub().issueRtcToken(IssueRtcTokenRequest.newBuilder().setChannel("room").setUid(1)
                .setRole(RtcRole.RTC_ROLE_PUBLISHER).setTtlSeconds(3600)
                .setPrivilegeTtls(RtcPrivilegeTtls.newBuilder().setPublishVideoSeconds(300)).build());
        server.clock.advance(Duration.ofSeconds(400));

        InspectTokenResponse response = inspect(token(issued.getToken()).setChannel("room").setUid(1));

        assertThat(codes(response)).containsExactly(ProblemCode.PROBLEM_CODE_PRIVILEGE_EXPIRED);
        assertThat(response.getAccepted()).isTrue();
        assertThat(response.getProblems(0).getMessage()).contains("publish-video").contains("joining works");
    }

    @Test
    void anExpiredJoinPrivilegePreventsAcceptance() {
        IssuedToken issued = server.stub().issueRtcToken(IssueRtcTokenRequest.newBuilder().setChannel("room").setUid(1)
                .setRole(RtcRole.RTC_ROLE_SUBSCRIBER).setTtlSeconds(3600)
                .setPrivilegeTtls(RtcPrivilegeTtls.newBuilder().setJoinChannelSeconds(300)).build());
        server.clock.advance(Duration.ofSeconds(300));

        InspectTokenResponse response = inspect(token(issued.getToken()));

        assertThat(codes(response)).containsExactly(ProblemCode.PROBLEM_CODE_PRIVILEGE_EXPIRED);
        assertThat(response.getAccepted()).isFalse();
    }

    @Test
    void notYetValid() {
        server.clock.advance(Duration.ofHours(1));
        IssuedToken issued = issue("room", 1, 7200);
        server.clock.set(T0);

        InspectTokenResponse response = inspect(token(issued.getToken()));

        assertThat(codes(response)).containsExactly(ProblemCode.PROBLEM_CODE_NOT_YET_VALID);
        assertThat(response.getAccepted()).isFalse();
        assertThat(response.getProblems(0).getMessage()).contains("60 minutes in the future");
    }

    @Test
    void aSmallClockSkewIsTolerated() {
        server.clock.advance(Duration.ofSeconds(30));
        IssuedToken issued = issue("room", 1, 600);
        server.clock.set(T0);

        assertThat(inspect(token(issued.getToken())).getAccepted()).isTrue();
    }

    @Test
    void signatureInvalidForATamperedToken() {
        String tampered = TestTokens.tamper(issue("room-1", 1, 600).getToken(), "room-1", "room-2");

        InspectTokenResponse response = inspect(token(tampered).setChannel("room-2").setUid(1));

        assertThat(response.getSignature()).isEqualTo(SignatureStatus.SIGNATURE_STATUS_INVALID);
        assertThat(codes(response)).containsExactly(ProblemCode.PROBLEM_CODE_SIGNATURE_INVALID);
        assertThat(response.getAccepted()).isFalse();
        assertThat(response.getSummary()).contains("error 110");
        assertThat(response.getServices(0).getChannel()).as("content is still shown").isEqualTo("room-2");
    }

    @Test
    void signatureInvalidForAnotherCertificate() {
        String foreign = TestTokens.sign(FOREIGN_CERT, APP_ID, T0.getEpochSecond(), 600, TestTokens.rtcPublisher("c", "1", 600));

        InspectTokenResponse response = inspect(token(foreign));

        assertThat(response.getSignature()).isEqualTo(SignatureStatus.SIGNATURE_STATUS_INVALID);
        assertThat(problem(response, ProblemCode.PROBLEM_CODE_SIGNATURE_INVALID).getMessage()).contains("another certificate");
    }

    @Test
    void unknownAppIsReportedNotAnError() {
        String token = TestTokens.sign(FOREIGN_CERT, UNKNOWN_APP_ID, T0.getEpochSecond(), 600,
                TestTokens.rtcPublisher("c", "1", 600));

        InspectTokenResponse response = inspect(token(token).setChannel("c").setUid(1));

        assertThat(response.getSignature()).isEqualTo(SignatureStatus.SIGNATURE_STATUS_UNKNOWN_APP);
        assertThat(codes(response)).containsExactly(ProblemCode.PROBLEM_CODE_UNKNOWN_APP);
        assertThat(response.getAccepted()).isFalse();
        assertThat(response.getAppId()).isEqualTo(UNKNOWN_APP_ID);
        assertThat(response.getSummary()).contains("no certificate for app " + UNKNOWN_APP_ID)
                .contains("cannot vouch for it").doesNotContain("would reject").doesNotContain("110");
    }

    @Test
    void unknownAppStillReportsWhatIsKnownWithoutTheCertificate() {
        String token = TestTokens.sign(FOREIGN_CERT, UNKNOWN_APP_ID, T0.getEpochSecond(), 600,
                TestTokens.rtcPublisher("c", "1", 600));

        InspectTokenResponse response = inspect(token(token).setChannel("other").setUid(1));

        assertThat(codes(response)).containsExactly(ProblemCode.PROBLEM_CODE_WRONG_CHANNEL,
                ProblemCode.PROBLEM_CODE_UNKNOWN_APP);
        assertThat(response.getSummary()).contains("would reject it").contains("error 110");
    }

    @Test
    void appIdInAnotherLetterCaseIsTheConfiguredApp() {
        String token = TestTokens.sign(CERT, APP_ID.toUpperCase(java.util.Locale.ROOT), T0.getEpochSecond(), 600,
                TestTokens.rtcPublisher("c", "1", 600));

        InspectTokenResponse response = inspect(token(token).setChannel("c").setUid(1));

        assertThat(response.getSignature()).isEqualTo(SignatureStatus.SIGNATURE_STATUS_VALID);
    }

    @Test
    void wrongApp() {
        InspectTokenResponse response = inspect(token(issue("room", 1, 600).getToken()).setAppId(OTHER_APP_ID));

        assertThat(codes(response)).containsExactly(ProblemCode.PROBLEM_CODE_WRONG_APP);
        Problem problem = response.getProblems(0);
        assertThat(problem.getField()).isEqualTo("app_id");
        assertThat(problem.getMessage()).contains(APP_ID).contains(OTHER_APP_ID).contains("110");
        assertThat(response.getAccepted()).isFalse();
    }

    @Test
    void wrongChannel() {
        InspectTokenResponse response = inspect(token(issue("room", 1, 600).getToken()).setChannel("Room").setUid(1));

        assertThat(codes(response)).containsExactly(ProblemCode.PROBLEM_CODE_WRONG_CHANNEL);
        Problem problem = response.getProblems(0);
        assertThat(problem.getField()).isEqualTo("channel");
        assertThat(problem.getMessage()).contains("\"room\"").contains("\"Room\"").contains("case-sensitive");
        assertThat(response.getAccepted()).isFalse();
        assertThat(response.getSummary()).contains("Agora would reject it for channel \"Room\" as uid 1")
                .contains("error 110");
    }

    @Test
    void uidMismatch() {
        String token = issue("room", 1234, 600).getToken();

        InspectTokenResponse otherUid = inspect(token(token).setChannel("room").setUid(999));
        InspectTokenResponse uidZero = inspect(token(token).setUid(0));
        InspectTokenResponse account = inspect(token(token).setAccount("alice"));

        assertThat(codes(otherUid)).containsExactly(ProblemCode.PROBLEM_CODE_UID_MISMATCH);
        assertThat(otherUid.getProblems(0).getField()).isEqualTo("uid");
        assertThat(otherUid.getProblems(0).getMessage()).contains("uid 1234").contains("999");
        assertThat(uidZero.getProblems(0).getMessage()).contains("uid 0").contains("wildcard");
        assertThat(account.getProblems(0).getField()).isEqualTo("account");
        assertThat(account.getProblems(0).getMessage()).contains("\"alice\"").contains("joinChannel(uid 1234)");
        assertThat(otherUid.getAccepted()).isFalse();
    }

    @Test
    void uidMismatchForAnAccountToken() {
        String token = server.stub().issueRtcToken(IssueRtcTokenRequest.newBuilder().setChannel("room")
                .setAccount("alice").setRole(RtcRole.RTC_ROLE_PUBLISHER).build()).getToken();

        assertThat(codes(inspect(token(token).setAccount("alice")))).isEmpty();
        InspectTokenResponse byUid = inspect(token(token).setUid(5));
        assertThat(codes(byUid)).containsExactly(ProblemCode.PROBLEM_CODE_UID_MISMATCH);
        assertThat(byUid.getProblems(0).getMessage()).contains("joinChannelWithUserAccount(\"alice\")");
        assertThat(inspect(token(token).setAccount("Alice")).getProblems(0).getMessage()).contains("case-sensitive");
    }

    @Test
    void wildcardIsInformational() {
        String token = issue("room", 0, 600).getToken();

        InspectTokenResponse response = inspect(token(token).setChannel("room").setUid(4321));

        assertThat(codes(response)).containsExactly(ProblemCode.PROBLEM_CODE_UID_WILDCARD);
        assertThat(response.getAccepted()).isTrue();
        assertThat(response.getSummary()).contains("accept").contains("Note:");
    }

    @Test
    void noRtcService() {
        String rtm = server.stub().issueRtmToken(IssueRtmTokenRequest.newBuilder().setUserId("u").build()).getToken();

        InspectTokenResponse withIntent = inspect(token(rtm).setChannel("room"));
        InspectTokenResponse withoutIntent = inspect(token(rtm));

        assertThat(codes(withIntent)).containsExactly(ProblemCode.PROBLEM_CODE_NO_RTC_SERVICE);
        assertThat(withIntent.getAccepted()).isFalse();
        assertThat(codes(withoutIntent)).isEmpty();
        assertThat(withoutIntent.getAccepted()).isTrue();
        assertThat(withoutIntent.getServices(0).getService()).isEqualTo(ServiceType.SERVICE_TYPE_RTM);
    }

    @Test
    void missingJoinPrivilege() {
        String token = TestTokens.sign(CERT, APP_ID, T0.getEpochSecond(), 600,
                new Service.Rtc(List.of(new Privilege(Service.RTC_PUBLISH_AUDIO_STREAM, 600)), "room", "1"));

        InspectTokenResponse response = inspect(token(token).setChannel("room").setUid(1));

        assertThat(codes(response)).containsExactly(ProblemCode.PROBLEM_CODE_MISSING_PRIVILEGE);
        assertThat(response.getAccepted()).isFalse();
    }

    @Test
    void problemsAreOrderedMostSevereFirst() {
        String foreign = TestTokens.sign(FOREIGN_CERT, APP_ID, T0.getEpochSecond(), 600, TestTokens.rtcPublisher("a", "", 600));
        server.clock.advance(Duration.ofSeconds(601));

        InspectTokenResponse response = inspect(token(foreign).setChannel("b").setUid(3).setAppId(OTHER_APP_ID));

        assertThat(codes(response)).containsExactly(ProblemCode.PROBLEM_CODE_SIGNATURE_INVALID,
                ProblemCode.PROBLEM_CODE_WRONG_APP, ProblemCode.PROBLEM_CODE_EXPIRED,
                ProblemCode.PROBLEM_CODE_WRONG_CHANNEL, ProblemCode.PROBLEM_CODE_UID_WILDCARD);
        assertThat(response.getSummary()).contains("error 110").contains("109");
    }

    @Test
    void otherServicesAreReportedAsOther() {
        String token = TestTokens.sign(CERT, APP_ID, T0.getEpochSecond(), 600,
                new Service.Fpa(List.of(new Privilege(1, 0))));

        InspectTokenResponse response = inspect(token(token));

        assertThat(response.getServices(0).getService()).isEqualTo(ServiceType.SERVICE_TYPE_FPA);
        assertThat(response.getServices(0).getPrivileges(0).getPrivilege())
                .isEqualTo(io.tokenservice.proto.v1.Privilege.PRIVILEGE_OTHER);
        assertThat(response.getServices(0).getPrivileges(0).hasExpiresAt()).as("0 = as long as the token").isFalse();
        assertThat(response.getSummary()).contains("fpa");
    }

    // --- 006 ---

    @Test
    void a006TokenWithChannelAndUidVerifies() {
        String token = legacyRtc(CERT, "room", RtcIdentity.uid(42), T0.getEpochSecond() + 600);

        InspectTokenResponse response = inspect(token(token).setChannel("room").setUid(42));

        assertThat(response.getVersion()).isEqualTo(TokenVersion.TOKEN_VERSION_006);
        assertThat(response.getAppId()).isEqualTo(APP_ID);
        assertThat(response.hasIssuedAt()).isFalse();
        assertThat(response.getExpiresAt().getSeconds()).isEqualTo(T0.getEpochSecond() + 86400);
        assertThat(response.getSalt()).isEqualTo(5);
        assertThat(Integer.toUnsignedLong(response.getCrcChannel())).isEqualTo(AccessTokenCodec.crc32("room"));
        assertThat(Integer.toUnsignedLong(response.getCrcUid())).isEqualTo(AccessTokenCodec.crc32("42"));
        assertThat(response.getSignature()).isEqualTo(SignatureStatus.SIGNATURE_STATUS_VALID);
        assertThat(response.getAccepted()).isTrue();
        assertThat(response.getServicesCount()).isEqualTo(1);
        assertThat(response.getServices(0).getService()).isEqualTo(ServiceType.SERVICE_TYPE_RTC);
        assertThat(response.getServices(0).getChannel()).isEqualTo("room");
        assertThat(response.getServices(0).getUid()).isEqualTo("42");
        assertThat(response.getServices(0).getPrivilegesCount()).isEqualTo(4);
        assertThat(response.getServices(0).getPrivileges(0).getExpiresAt().getSeconds()).isEqualTo(T0.getEpochSecond() + 600);
    }

    @Test
    void a006SignatureIsNotCheckedWithoutChannelAndUid() {
        String token = legacyRtc(CERT, "room", RtcIdentity.uid(42), T0.getEpochSecond() + 600);

        InspectTokenResponse response = inspect(token(token));

        assertThat(response.getSignature()).isEqualTo(SignatureStatus.SIGNATURE_STATUS_NOT_CHECKED);
        assertThat(response.getAccepted()).isFalse();
        assertThat(response.getServices(0).getChannel()).isEmpty();
        assertThat(response.getServices(0).getUid()).isEmpty();
        assertThat(response.getSummary()).contains("cannot vouch").contains("CRC32");
        assertThat(codes(response)).containsExactly(ProblemCode.PROBLEM_CODE_SIGNATURE_NOT_CHECKED);
        assertThat(response.getProblems(0).getField()).isEqualTo("channel");
    }

    @Test
    void a006TokenForAnotherChannelOrUid() {
        String token = legacyRtc(CERT, "room", RtcIdentity.uid(42), T0.getEpochSecond() + 600);

        InspectTokenResponse channel = inspect(token(token).setChannel("other").setUid(42));
        InspectTokenResponse uid = inspect(token(token).setChannel("room").setUid(43));

        assertThat(codes(channel)).containsExactly(ProblemCode.PROBLEM_CODE_WRONG_CHANNEL);
        assertThat(channel.getSignature()).isEqualTo(SignatureStatus.SIGNATURE_STATUS_NOT_CHECKED);
        assertThat(codes(uid)).containsExactly(ProblemCode.PROBLEM_CODE_UID_MISMATCH);
        assertThat(uid.getProblems(0).getField()).isEqualTo("uid");
        assertThat(uid.getAccepted()).isFalse();
    }

    @Test
    void a006TokenSignedWithAnotherCertificate() {
        String token = legacyRtc(FOREIGN_CERT, "room", RtcIdentity.account("bob"), T0.getEpochSecond() + 600);

        InspectTokenResponse response = inspect(token(token).setChannel("room").setAccount("bob"));

        assertThat(response.getSignature()).isEqualTo(SignatureStatus.SIGNATURE_STATUS_INVALID);
        assertThat(codes(response)).containsExactly(ProblemCode.PROBLEM_CODE_SIGNATURE_INVALID);
    }

    @Test
    void a006WildcardTokenMatchesAnyUid() {
        String token = legacyRtc(CERT, "room", RtcIdentity.uid(0), T0.getEpochSecond() + 600);

        InspectTokenResponse response = inspect(token(token).setChannel("room").setUid(77));

        assertThat(response.getSignature()).isEqualTo(SignatureStatus.SIGNATURE_STATUS_VALID);
        assertThat(codes(response)).containsExactly(ProblemCode.PROBLEM_CODE_UID_WILDCARD);
        assertThat(response.getAccepted()).isTrue();
    }

    @Test
    void a006TokenWithExpiredPrivileges() {
        String token = legacyRtc(CERT, "room", RtcIdentity.uid(1), T0.getEpochSecond() + 600);
        server.clock.advance(Duration.ofSeconds(601));

        InspectTokenResponse response = inspect(token(token).setChannel("room").setUid(1));

        assertThat(codes(response)).contains(ProblemCode.PROBLEM_CODE_PRIVILEGE_EXPIRED);
        assertThat(response.getProblems(0).getCode()).isEqualTo(ProblemCode.PROBLEM_CODE_PRIVILEGE_EXPIRED);
        assertThat(response.getAccepted()).isFalse();
    }

    @Test
    void a006TokenPastItsTokenExpiry() {
        String token = legacyRtc(CERT, "room", RtcIdentity.uid(1), T0.getEpochSecond() + 600);
        server.clock.advance(Duration.ofDays(2));

        InspectTokenResponse response = inspect(token(token).setChannel("room").setUid(1));

        assertThat(codes(response)).containsExactly(ProblemCode.PROBLEM_CODE_EXPIRED);
    }

    @Test
    void a006RtmToken() {
        TokenIssuer legacy = new TokenIssuer(Clock.fixed(T0, ZoneOffset.UTC), SaltSource.fixed(5), TokenLimits.agoraDefault());
        String token = legacy.issueLegacyRtm(new AppCredentials(APP_ID, CERT), "user-1", T0.getEpochSecond() + 600);

        InspectTokenResponse response = inspect(token(token));
        InspectTokenResponse joining = inspect(token(token).setChannel("user-1"));

        assertThat(response.getServicesList()).hasSize(1);
        assertThat(response.getServices(0).getService()).isEqualTo(ServiceType.SERVICE_TYPE_RTM);
        assertThat(response.getServices(0).getPrivileges(0).getPrivilege())
                .isEqualTo(io.tokenservice.proto.v1.Privilege.PRIVILEGE_RTM_LOGIN);
        assertThat(response.getServices(0).getPrivileges(0).getAgoraKey()).isEqualTo(1000);
        assertThat(codes(joining)).containsExactly(ProblemCode.PROBLEM_CODE_NO_RTC_SERVICE);
    }

    @Test
    void a006TokenForAnUnknownApp() {
        TokenIssuer legacy = new TokenIssuer(Clock.fixed(T0, ZoneOffset.UTC), SaltSource.fixed(5), TokenLimits.agoraDefault());
        String token = legacy.issueLegacyRtc(new AppCredentials(UNKNOWN_APP_ID, CERT), "room", RtcIdentity.uid(1),
                LegacyRole.SUBSCRIBER, T0.getEpochSecond() + 600);

        InspectTokenResponse response = inspect(token(token).setChannel("room").setUid(1));

        assertThat(response.getSignature()).isEqualTo(SignatureStatus.SIGNATURE_STATUS_UNKNOWN_APP);
        assertThat(codes(response)).containsExactly(ProblemCode.PROBLEM_CODE_UNKNOWN_APP);
        assertThat(response.getServices(0).getPrivilegesCount()).isEqualTo(1);
    }

    // --- errors, gate, audit ---

    @Test
    void tokenIsRequiredAndMustDecode() {
        assertThat(invalid("token", () -> inspect(token("")))).contains("required");
        assertThat(invalid("token", () -> inspect(token("hello")))).contains("\"007\" or \"006\"");
        assertThat(invalid("token", () -> inspect(token("005abc")))).contains("005");
        invalid("token", () -> inspect(token("007%%%")));
        invalid("token", () -> inspect(token("006" + APP_ID + "AAAA")));
        String good = issue("room", 1, 600).getToken();
        invalid("token", () -> inspect(token(good.substring(0, 40))));
    }

    @Test
    void channelAndAccountMustBeSyntacticallyValid() {
        String good = issue("room", 1, 600).getToken();

        invalid("channel", () -> inspect(token(good).setChannel("bad/channel")));
        invalid("account", () -> inspect(token(good).setAccount("")));
        invalid("account", () -> inspect(token(good).setAccount("a".repeat(256))));
        assertThat(fieldViolations(failure(Status.Code.INVALID_ARGUMENT,
                () -> inspect(token("").setChannel("bad/channel")))).keySet()).containsExactly("token", "channel");
    }

    @Test
    void theGateSeesTheTokensAppAndNoServices() {
        String token = TestTokens.sign(FOREIGN_CERT, UNKNOWN_APP_ID, T0.getEpochSecond(), 600,
                TestTokens.rtcPublisher("c", "1", 600));

        inspect(token(token));

        assertThat(server.gate.last()).isEqualTo(new GrantRequest(Rpc.INSPECT_TOKEN, UNKNOWN_APP_ID, List.of(), 0));
        assertThat(server.audit.last().tokenSha256Prefix()).contains(TokenDigest.sha256Prefix(token));
    }

    @Test
    void aCallerNotAllowedToInspectIsRefused() {
        server.gate.denyAll("InspectToken is not allowed (may_inspect: false)");

        failure(Status.Code.PERMISSION_DENIED, () -> inspect(token(issue("room", 1, 600).getToken())));
    }

    @Test
    void theResponseAndItsSummaryNeverContainACertificate() {
        String token = legacyRtc(CERT, "room", RtcIdentity.uid(42), T0.getEpochSecond() + 600);

        InspectTokenResponse response = inspect(token(token).setChannel("room").setUid(42));

        assertThat(response.toString()).doesNotContain(CERT).doesNotContain(OLD_CERT).doesNotContain(token);
    }
}
