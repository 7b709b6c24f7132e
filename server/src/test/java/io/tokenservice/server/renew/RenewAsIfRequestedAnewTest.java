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
import io.tokenservice.server.denylist.DenyList;
import io.tokenservice.server.testing.TestTokens;
import io.tokenservice.server.testing.TokenServerExtension;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 9, point 3: RenewToken judges the grant as if it were requested anew. A token signed with a
 * certificate the server holds (here the secondary, as during a rotation, made by another tool) whose
 * channel or identities break the input rules of issuing used to be re-signed with the primary, and an
 * account {@code 123\0} slipped past the deny-list entry {@code uid:123}. Now such a token is not renewed
 * (INVALID_ARGUMENT on {@code token}); one that passes the rules meets the policy and the deny-list.
 */
class RenewAsIfRequestedAnewTest {
    private static final String KEY = "tsk_renew_anew_key_0123456789abcdefg";

    /** The default apps: APP_ID with CERT, and OLD_CERT as its secondary. */
    @RegisterExtension
    static final TokenServerExtension server = TokenServerExtension.quickStart(
            DenyList.parse("uid:123\nchannel:closed-room\n"), "web", KEY);

    /** A token of the server's app signed with its secondary certificate, issued now, for an hour. */
    private static String signedBySecondary(Service service) {
        return TestTokens.sign(OLD_CERT, APP_ID, server.clock.instant().getEpochSecond(), 3600, service);
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
        assertThat(server.audit.events()).hasSize(6).allSatisfy(event -> {
            assertThat(event.outcome()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(event.caller().orElseThrow().name()).isEqualTo("web");
        });
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
