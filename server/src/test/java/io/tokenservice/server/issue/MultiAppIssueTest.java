package io.tokenservice.server.issue;

import static io.tokenservice.server.testing.Statuses.invalid;
import static io.tokenservice.server.testing.TestApps.APP_ID;
import static io.tokenservice.server.testing.TestApps.CERT;
import static io.tokenservice.server.testing.TestApps.OTHER_APP_ID;
import static io.tokenservice.server.testing.TestApps.OTHER_CERT;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokenservice.core.token.AccessToken2Codec;
import io.tokenservice.core.token.ParsedAccessToken2;
import io.tokenservice.proto.v1.IssueChatTokenRequest;
import io.tokenservice.proto.v1.IssueRtcTokenRequest;
import io.tokenservice.proto.v1.IssueRtmTokenRequest;
import io.tokenservice.proto.v1.IssuedToken;
import io.tokenservice.proto.v1.RtcRole;
import io.tokenservice.server.testing.TokenServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A server holding several apps (in-process is enough here). */
class MultiAppIssueTest {
    @RegisterExtension
    static final TokenServerExtension server =
            TokenServerExtension.inProcess(b -> b.app(APP_ID, CERT).app(OTHER_APP_ID, OTHER_CERT));

    @Test
    void appIdIsRequiredWhenTheServerHoldsSeveralApps() {
        assertThat(invalid("app_id", () -> server.stub().issueRtcToken(IssueRtcTokenRequest.newBuilder()
                .setChannel("room").setUid(1).setRole(RtcRole.RTC_ROLE_PUBLISHER).build())))
                .contains("2 apps");
        invalid("app_id", () -> server.stub().issueRtmToken(IssueRtmTokenRequest.newBuilder().setUserId("u").build()));
        invalid("app_id", () -> server.stub().issueChatToken(IssueChatTokenRequest.newBuilder().setUserId("u").build()));
    }

    @Test
    void eachAppSignsWithItsOwnCertificate() {
        IssuedToken first = server.stub().issueRtmToken(IssueRtmTokenRequest.newBuilder()
                .setAppId(APP_ID).setUserId("u").build());
        IssuedToken second = server.stub().issueRtmToken(IssueRtmTokenRequest.newBuilder()
                .setAppId(OTHER_APP_ID).setUserId("u").build());

        ParsedAccessToken2 a = AccessToken2Codec.decode(first.getToken());
        ParsedAccessToken2 b = AccessToken2Codec.decode(second.getToken());
        assertThat(a.appId()).isEqualTo(APP_ID);
        assertThat(a.verify(CERT)).isTrue();
        assertThat(b.appId()).isEqualTo(OTHER_APP_ID);
        assertThat(b.verify(OTHER_CERT)).isTrue();
        assertThat(b.verify(CERT)).isFalse();
        assertThat(second.getAppId()).isEqualTo(OTHER_APP_ID);
    }
}
