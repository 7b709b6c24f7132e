package io.tokenservice.server.renew;

import static io.tokenservice.server.testing.Statuses.failure;
import static io.tokenservice.server.testing.Statuses.invalid;
import static io.tokenservice.server.testing.TestApps.APP_ID;
import static io.tokenservice.server.testing.TestApps.CERT;
import static io.tokenservice.server.testing.TestApps.OLD_CERT;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.tokenservice.core.token.AccessToken2Codec;
import io.tokenservice.core.token.ParsedAccessToken2;
import io.tokenservice.core.token.Privilege;
import io.tokenservice.core.token.Service;
import io.tokenservice.proto.v1.IssuedToken;
import io.tokenservice.proto.v1.RenewTokenRequest;
import io.tokenservice.server.audit.JsonAuditSink;
import io.tokenservice.server.testing.Launched;
import io.tokenservice.server.testing.LogCapture;
import io.tokenservice.server.testing.TestSecrets;
import io.tokenservice.server.testing.TestTokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, point 3: RenewToken judges the grant as if it were requested anew. A token signed with a
 * certificate the server holds (here the secondary, as during a rotation, made by another tool) whose
 * channel or identities break the input rules of issuing used to be re-signed with the primary, and an
 * account {@code 123\0} slipped past the deny-list entry {@code uid:123}. Now such a token is not renewed
 * (INVALID_ARGUMENT on {@code token}); one that passes the rules meets the policy and the deny-list.
 */
class RenewAsIfRequestedAnewTest {
    private static final String KEY = TestSecrets.register("tsk_renew_anew_key_0123456789abcdefg");

    @TempDir
    static Path dir;

    private static Launched server;

    @BeforeAll
    static void start() throws Exception {
        Path denyList = Files.writeString(dir.resolve("deny-list.txt"), "uid:123\nchannel:closed-room\n");
        server = Launched.start(Map.of("APP_ID", APP_ID, "APP_CERTIFICATE", CERT, "APP_CERTIFICATE_SECONDARY", OLD_CERT,
                "TOKEN_SERVICE_API_KEYS", "web=" + KEY, "TOKEN_SERVICE_DENY_LIST", denyList.toString()), dir);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A token of the server's app signed with its secondary certificate, issued now, for an hour. */
    private static String signedBySecondary(Service service) {
        return TestTokens.sign(OLD_CERT, APP_ID, Instant.now().getEpochSecond(), 3600, service);
    }

    private static Service.Rtc rtc(String channel, String uid) {
        return TestTokens.rtcPublisher(channel, uid, 3600);
    }

    private static RenewTokenRequest renew(String token) {
        return RenewTokenRequest.newBuilder().setToken(token).build();
    }

    private static String refusedAsInvalid(Service service) {
        return invalid("token", () -> server.as(KEY).renewToken(renew(signedBySecondary(service))));
    }

    @Test
    void aChannelOrIdentityThatWouldNotBeIssuedIsNotRenewed() {
        try (LogCapture audit = LogCapture.of(JsonAuditSink.LOGGER_NAME)) {
            assertThat(refusedAsInvalid(rtc("team-a/b\0é", "7"))).isEqualTo("cannot be renewed: its RTC channel may "
                    + "contain only a-z, A-Z, 0-9, space and !#$%&()+-:;<=.>?@[]^_{}|~, (found '/' at 6), so it would "
                    + "not be issued; issue a new token instead");
            assertThat(refusedAsInvalid(rtc("c".repeat(200), "7")))
                    .contains("its RTC channel must be at most 64 bytes, got 200");
            assertThat(refusedAsInvalid(rtc("room", "123\0"))).contains("its RTC uid or account may contain only")
                    .contains("(found U+0000 at 3)");
            assertThat(refusedAsInvalid(rtc("room", "a".repeat(256)))).contains("must be at most 255 bytes, got 256");
            assertThat(refusedAsInvalid(new Service.Rtm(List.of(new Privilege(Service.RTM_LOGIN, 3600)), " user")))
                    .contains("its RTM user id must not start with a space");
            assertThat(refusedAsInvalid(new Service.Chat(List.of(new Privilege(Service.CHAT_USER, 3600)), "bad/user")))
                    .contains("its Chat user id may contain only letters, digits");
            assertThat(audit.messages(Level.INFO)).hasSize(6)
                    .allSatisfy(l -> assertThat(l).contains("\"outcome\":\"INVALID_ARGUMENT\"").contains("\"caller\":\"web\""));
        }
    }

    @Test
    void theNulAccountNoLongerSlipsPastTheDenyListAndTheCleanOneMeetsIt() {
        invalid("token", () -> server.as(KEY).renewToken(renew(signedBySecondary(rtc("room", "123\0")))));
        assertThat(failure(Status.Code.PERMISSION_DENIED, () -> server.as(KEY).renewToken(
                renew(signedBySecondary(rtc("room", "123"))))).getStatus().getDescription())
                .isEqualTo("deny-list: uid '123' is denied");
        assertThat(failure(Status.Code.PERMISSION_DENIED, () -> server.as(KEY).renewToken(
                renew(signedBySecondary(rtc("closed-room", "7"))))).getStatus().getDescription())
                .isEqualTo("deny-list: channel 'closed-room' is denied");
    }

    @Test
    void aTokenThatWouldBeIssuedIsRenewedWithThePrimaryCertificate() {
        IssuedToken renewed = server.as(KEY).renewToken(renew(signedBySecondary(rtc("team-a", "456"))));
        ParsedAccessToken2 parsed = AccessToken2Codec.decode(renewed.getToken());
        assertThat(parsed.verify(CERT)).isTrue();
        assertThat(parsed.content().services()).singleElement().isInstanceOfSatisfying(Service.Rtc.class, r -> {
            assertThat(r.channel()).isEqualTo("team-a");
            assertThat(r.uid()).isEqualTo("456");
        });
    }
}
