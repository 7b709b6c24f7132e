package io.tokenservice.server.issue;

import static io.tokenservice.server.testing.Statuses.failure;
import static io.tokenservice.server.testing.Statuses.invalid;
import static io.tokenservice.server.testing.TestApps.APP_ID;
import static io.tokenservice.server.testing.TestApps.CERT;
import static io.tokenservice.server.testing.TestApps.T0;
import static io.tokenservice.server.testing.TestApps.UNKNOWN_APP_ID;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.tokenservice.core.token.AccessToken2;
import io.tokenservice.core.token.AccessToken2Codec;
import io.tokenservice.core.token.ParsedAccessToken2;
import io.tokenservice.core.token.Privilege;
import io.tokenservice.core.token.Service;
import io.tokenservice.proto.v1.ChatAppToken;
import io.tokenservice.proto.v1.IssueChatTokenRequest;
import io.tokenservice.proto.v1.IssueRtmTokenRequest;
import io.tokenservice.proto.v1.IssuedToken;
import io.tokenservice.proto.v1.ServiceType;
import io.tokenservice.server.access.GrantRequest;
import io.tokenservice.server.access.RequestedService;
import io.tokenservice.server.access.Rpc;
import io.tokenservice.server.testing.TokenServerExtension;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** IssueRtmToken and IssueChatToken against a real Netty server. */
class IssueRtmAndChatTokenTest {
    @RegisterExtension
    static final TokenServerExtension server = new TokenServerExtension();

    private static ParsedAccessToken2 decode(IssuedToken issued) {
        ParsedAccessToken2 parsed = AccessToken2Codec.decode(issued.getToken());
        assertThat(parsed.verify(CERT)).isTrue();
        return parsed;
    }

    @Test
    void rtmTokenDecodesToExactlyTheRequestedGrant() {
        long salt = server.nextSalt();
        IssuedToken issued = server.stub().issueRtmToken(IssueRtmTokenRequest.newBuilder()
                .setUserId("user-1").setTtlSeconds(1200).build());

        assertThat(decode(issued).content()).isEqualTo(new AccessToken2(APP_ID, T0.getEpochSecond(), 1200, salt,
                List.of(new Service.Rtm(List.of(new Privilege(Service.RTM_LOGIN, 1200)), "user-1"))));
        assertThat(issued.getAppId()).isEqualTo(APP_ID);
        assertThat(issued.getTtlSeconds()).isEqualTo(1200);
        assertThat(issued.getExpiresAt().getSeconds()).isEqualTo(T0.getEpochSecond() + 1200);
        assertThat(issued.getServices(0).getService()).isEqualTo(ServiceType.SERVICE_TYPE_RTM);
        assertThat(issued.getServices(0).getUserId()).isEqualTo("user-1");
        assertThat(server.gate.last()).isEqualTo(new GrantRequest(Rpc.ISSUE_RTM_TOKEN, APP_ID,
                List.of(RequestedService.rtm("user-1")), 1200));
    }

    @Test
    void rtmDefaultLifetimeIsOneHour() {
        IssuedToken issued = server.stub().issueRtmToken(IssueRtmTokenRequest.newBuilder().setUserId("u").build());

        assertThat(decode(issued).content().expire()).isEqualTo(3600);
        assertThat(issued.getTtlSeconds()).isEqualTo(3600);
    }

    @Test
    void rtmUserIdRules() {
        assertThat(invalid("user_id", () -> server.stub().issueRtmToken(IssueRtmTokenRequest.getDefaultInstance())))
                .isEqualTo("is required");
        invalid("user_id", () -> server.stub().issueRtmToken(IssueRtmTokenRequest.newBuilder().setUserId(" x").build()));
        invalid("user_id", () -> server.stub().issueRtmToken(IssueRtmTokenRequest.newBuilder().setUserId("a/b").build()));
        invalid("user_id", () -> server.stub().issueRtmToken(IssueRtmTokenRequest.newBuilder().setUserId("u".repeat(65)).build()));
    }

    @Test
    void rtmTokenVersion006MintsALegacyRtmLoginToken() {
        IssuedToken issued = server.stub().issueRtmToken(IssueRtmTokenRequest.newBuilder().setUserId("u-1")
                .setTtlSeconds(600).setTokenVersion(io.tokenservice.proto.v1.TokenVersion.TOKEN_VERSION_006).build());

        assertThat(issued.getToken()).startsWith("006");
        io.tokenservice.core.token.ParsedAccessToken legacy =
                io.tokenservice.core.token.AccessTokenCodec.decode(issued.getToken());
        assertThat(legacy.verify(CERT, "u-1", "")).as("006 RTM: the user id in the channel slot").isTrue();
        assertThat(legacy.content().privileges()).singleElement().satisfies(p -> {
            assertThat(p.key()).isEqualTo(io.tokenservice.core.token.AccessToken.RTM_LOGIN);
            assertThat(p.value()).isEqualTo(T0.getEpochSecond() + 600);
        });
        assertThat(issued.getServicesList()).singleElement().satisfies(rtm -> assertThat(rtm.getService())
                .isEqualTo(io.tokenservice.proto.v1.ServiceType.SERVICE_TYPE_RTM));
        invalid("token_version", () -> server.stub().issueRtmToken(IssueRtmTokenRequest.newBuilder()
                .setUserId("u").setTokenVersionValue(3).build()));
    }

    @Test
    void rtmTtlAndAppRules() {
        invalid("ttl_seconds", () -> server.stub().issueRtmToken(IssueRtmTokenRequest.newBuilder()
                .setUserId("u").setTtlSeconds(86401).build()));
        invalid("ttl_seconds", () -> server.stub().issueRtmToken(IssueRtmTokenRequest.newBuilder()
                .setUserId("u").setTtlSeconds(29).build()));
        invalid("app_id", () -> server.stub().issueRtmToken(IssueRtmTokenRequest.newBuilder()
                .setUserId("u").setAppId("123").build()));
        failure(Status.Code.NOT_FOUND, () -> server.stub().issueRtmToken(IssueRtmTokenRequest.newBuilder()
                .setUserId("u").setAppId(UNKNOWN_APP_ID).build()));
    }

    @Test
    void chatUserTokenDecodesToExactlyTheRequestedGrant() {
        long salt = server.nextSalt();
        IssuedToken issued = server.stub().issueChatToken(IssueChatTokenRequest.newBuilder()
                .setUserId("chat_user.1").setTtlSeconds(300).build());

        assertThat(decode(issued).content()).isEqualTo(new AccessToken2(APP_ID, T0.getEpochSecond(), 300, salt,
                List.of(new Service.Chat(List.of(new Privilege(Service.CHAT_USER, 300)), "chat_user.1"))));
        assertThat(issued.getServices(0).getService()).isEqualTo(ServiceType.SERVICE_TYPE_CHAT);
        assertThat(issued.getServices(0).getUserId()).isEqualTo("chat_user.1");
        assertThat(issued.getServices(0).getPrivileges(0).getPrivilege())
                .isEqualTo(io.tokenservice.proto.v1.Privilege.PRIVILEGE_CHAT_USER);
        assertThat(server.gate.last()).isEqualTo(new GrantRequest(Rpc.ISSUE_CHAT_TOKEN, APP_ID,
                List.of(RequestedService.chat("chat_user.1")), 300));
    }

    @Test
    void chatAppTokenDecodesToExactlyTheRequestedGrant() {
        IssuedToken issued = server.stub().issueChatToken(IssueChatTokenRequest.newBuilder()
                .setApp(ChatAppToken.getDefaultInstance()).build());

        assertThat(decode(issued).content().services()).containsExactly(
                new Service.Chat(List.of(new Privilege(Service.CHAT_APP, 3600)), ""));
        assertThat(issued.getServices(0).getPrivileges(0).getPrivilege())
                .isEqualTo(io.tokenservice.proto.v1.Privilege.PRIVILEGE_CHAT_APP);
        assertThat(server.gate.last().services().get(0).isChatAppToken()).isTrue();
    }

    @Test
    void chatSubjectIsRequired() {
        assertThat(invalid("subject", () -> server.stub().issueChatToken(IssueChatTokenRequest.getDefaultInstance())))
                .contains("user_id").contains("app");
    }

    @Test
    void chatUserIdRules() {
        invalid("user_id", () -> server.stub().issueChatToken(IssueChatTokenRequest.newBuilder().setUserId("").build()));
        invalid("user_id", () -> server.stub().issueChatToken(IssueChatTokenRequest.newBuilder().setUserId("u".repeat(65)).build()));
        invalid("user_id", () -> server.stub().issueChatToken(IssueChatTokenRequest.newBuilder().setUserId("with space").build()));
    }

    @Test
    void chatTtlAndAppRules() {
        invalid("ttl_seconds", () -> server.stub().issueChatToken(IssueChatTokenRequest.newBuilder()
                .setUserId("u").setTtlSeconds(90000).build()));
        failure(Status.Code.NOT_FOUND, () -> server.stub().issueChatToken(IssueChatTokenRequest.newBuilder()
                .setUserId("u").setAppId(UNKNOWN_APP_ID).build()));
    }
}
