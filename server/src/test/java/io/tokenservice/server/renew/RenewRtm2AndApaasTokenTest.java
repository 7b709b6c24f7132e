package io.tokenservice.server.renew;

import static io.tokenservice.server.testing.Statuses.invalid;
import static io.tokenservice.server.testing.TestApps.APP_ID;
import static io.tokenservice.server.testing.TestApps.CERT;
import static io.tokenservice.server.testing.TestApps.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokenservice.core.issue.ChatUserIds;
import io.tokenservice.core.issue.Rtm2TokenRequest;
import io.tokenservice.core.token.AccessToken2;
import io.tokenservice.core.token.AccessToken2Codec;
import io.tokenservice.core.token.ParsedAccessToken2;
import io.tokenservice.core.token.Privilege;
import io.tokenservice.core.token.Service;
import io.tokenservice.proto.v1.ApaasAppToken;
import io.tokenservice.proto.v1.ApaasRoomUser;
import io.tokenservice.proto.v1.ApaasUser;
import io.tokenservice.proto.v1.IssueApaasTokenRequest;
import io.tokenservice.proto.v1.IssueRtmTokenRequest;
import io.tokenservice.proto.v1.IssuedToken;
import io.tokenservice.proto.v1.RenewTokenRequest;
import io.tokenservice.proto.v1.Rtm2Access;
import io.tokenservice.proto.v1.Rtm2Permission;
import io.tokenservice.proto.v1.Rtm2ResourceType;
import io.tokenservice.server.access.GrantRequest;
import io.tokenservice.server.access.RequestedService;
import io.tokenservice.server.access.Rpc;
import io.tokenservice.server.testing.TestTokens;
import io.tokenservice.server.testing.TokenServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** RenewToken of RTM 2.x and APaaS tokens: the same grant, a new expiry; shapes this server does not mint refused. */
class RenewRtm2AndApaasTokenTest {
    @RegisterExtension
    static final TokenServerExtension server = new TokenServerExtension();

    private static IssuedToken renew(String token, int ttl) {
        return server.stub().renewToken(RenewTokenRequest.newBuilder().setToken(token).setTtlSeconds(ttl).build());
    }

    private static AccessToken2 decodePrimary(IssuedToken issued) {
        ParsedAccessToken2 parsed = AccessToken2Codec.decode(issued.getToken());
        assertThat(parsed.verify(CERT)).isTrue();
        return parsed.content();
    }

    @Test
    void anRtm2TokenIsRenewedWithTheSamePermissionsAndANewExpiry() {
        IssuedToken old = server.stub().issueRtmToken(IssueRtmTokenRequest.newBuilder().setUserId("alice")
                .setTtlSeconds(600)
                .addPermissions(Rtm2Permission.newBuilder().setResourceType(Rtm2ResourceType.RTM2_RESOURCE_TYPE_USERS)
                        .setAccess(Rtm2Access.RTM2_ACCESS_READ).addResources("bob"))
                .addPermissions(Rtm2Permission.newBuilder()
                        .setResourceType(Rtm2ResourceType.RTM2_RESOURCE_TYPE_GROUP_CHANNELS)
                        .setAccess(Rtm2Access.RTM2_ACCESS_WRITE).addResources("g1").addResources("g2"))
                .build());
        server.clock.advance(Duration.ofSeconds(500));
        long salt = server.nextSalt();

        IssuedToken renewed = renew(old.getToken(), 0);

        AccessToken2 content = decodePrimary(renewed);
        assertThat(content.issueTs()).isEqualTo(T0.getEpochSecond() + 500);
        assertThat(content.salt()).isEqualTo(salt);
        assertThat(content.expire()).isEqualTo(600);
        assertThat(content.services()).isEqualTo(AccessToken2Codec.decode(old.getToken()).content().services());
        assertThat(renewed.getServicesList()).isEqualTo(old.getServicesList().stream().map(s -> s.toBuilder()
                .setPrivileges(0, s.getPrivileges(0).toBuilder().setExpiresAt(renewed.getExpiresAt())).build())
                .toList());
        assertThat(server.gate.last()).isEqualTo(new GrantRequest(Rpc.RENEW_TOKEN, APP_ID, List.of(RequestedService.rtm(
                "alice", List.of(
                        Rtm2TokenRequest.permission(Rtm2TokenRequest.ResourceType.GROUP_CHANNELS,
                                Rtm2TokenRequest.Access.WRITE, List.of("g1", "g2")),
                        Rtm2TokenRequest.permission(Rtm2TokenRequest.ResourceType.USERS,
                                Rtm2TokenRequest.Access.READ, List.of("bob"))))), 600));
    }

    @Test
    void apaasTokensOfEachKindAreRenewedWithTheSameGrant() {
        List<IssueApaasTokenRequest> requests = List.of(
                IssueApaasTokenRequest.newBuilder().setRoomUser(ApaasRoomUser.newBuilder().setRoomUuid("room-1")
                        .setUserUuid("student-7").setRole(2)).setTtlSeconds(900).build(),
                IssueApaasTokenRequest.newBuilder().setUser(ApaasUser.newBuilder().setUserUuid("teacher-1"))
                        .setTtlSeconds(900).build(),
                IssueApaasTokenRequest.newBuilder().setApp(ApaasAppToken.getDefaultInstance()).setTtlSeconds(900)
                        .build());
        List<RequestedService> judged = List.of(RequestedService.apaasRoomUser("room-1", "student-7", 2),
                RequestedService.apaas("teacher-1"), RequestedService.apaas(""));
        for (int i = 0; i < requests.size(); i++) {
            IssuedToken old = server.stub().issueApaasToken(requests.get(i));

            IssuedToken renewed = renew(old.getToken(), 1200);

            AccessToken2 before = AccessToken2Codec.decode(old.getToken()).content();
            AccessToken2 after = decodePrimary(renewed);
            assertThat(after.expire()).isEqualTo(1200);
            assertThat(after.services()).hasSameSizeAs(before.services());
            for (int s = 0; s < before.services().size(); s++) {
                Service was = before.services().get(s);
                Service is = after.services().get(s);
                assertThat(is.type()).isEqualTo(was.type());
                assertThat(is.privileges()).as("privileges as long as the token follow the new lifetime")
                        .containsExactly(new Privilege(was.privileges().get(0).key(), 1200));
            }
            assertThat(after.service(Service.Apaas.class)).get()
                    .usingRecursiveComparison().ignoringFields("privileges")
                    .isEqualTo(before.service(Service.Apaas.class).orElseThrow());
            assertThat(server.gate.last()).isEqualTo(new GrantRequest(Rpc.RENEW_TOKEN, APP_ID, List.of(judged.get(i)),
                    1200));
        }
    }

    @Test
    void apaasShapesThisServerDoesNotMintAreNotRenewed() {
        long ttl = 600;
        Service.Apaas roomUser = new Service.Apaas(List.of(new Privilege(Service.APAAS_ROOM_USER, ttl)), "room-1",
                "student-7", (short) 2);
        String rtmForSomeoneElse = TestTokens.sign(CERT, APP_ID, T0.getEpochSecond(), ttl,
                new Service.Rtm(List.of(new Privilege(Service.RTM_LOGIN, ttl)), "teacher-1"),
                new Service.Chat(List.of(new Privilege(Service.CHAT_USER, ttl)), ChatUserIds.md5Hex("student-7")),
                roomUser);
        String chatAppHidden = TestTokens.sign(CERT, APP_ID, T0.getEpochSecond(), ttl,
                new Service.Rtm(List.of(new Privilege(Service.RTM_LOGIN, ttl)), "student-7"),
                new Service.Chat(List.of(new Privilege(Service.CHAT_APP, ttl)), ChatUserIds.md5Hex("student-7")),
                roomUser);
        String userWithRtm = TestTokens.sign(CERT, APP_ID, T0.getEpochSecond(), ttl,
                new Service.Rtm(List.of(new Privilege(Service.RTM_LOGIN, ttl)), "admin"),
                new Service.Apaas(List.of(new Privilege(Service.APAAS_USER, ttl)), "", "teacher-1", (short) -1));
        String appWithUser = TestTokens.sign(CERT, APP_ID, T0.getEpochSecond(), ttl,
                new Service.Apaas(List.of(new Privilege(Service.APAAS_APP, ttl)), "", "teacher-1", (short) -1));
        String twoPrivileges = TestTokens.sign(CERT, APP_ID, T0.getEpochSecond(), ttl,
                new Service.Apaas(List.of(new Privilege(Service.APAAS_USER, ttl), new Privilege(Service.APAAS_APP, ttl)),
                        "", "teacher-1", (short) -1));

        assertThat(invalid("token", () -> renew(rtmForSomeoneElse, 0))).contains("RTM login as the user");
        assertThat(invalid("token", () -> renew(chatAppHidden, 0))).contains("privilege 2");
        invalid("token", () -> renew(userWithRtm, 0));
        assertThat(invalid("token", () -> renew(appWithUser, 0))).contains("app grant");
        invalid("token", () -> renew(twoPrivileges, 0));
    }

    @Test
    void rtm2GrantsTheApiWouldNotIssueAreNotRenewed() {
        long ttl = 600;
        List<String> tooMany = new ArrayList<>();
        for (int i = 0; i < 161; i++) {
            tooMany.add("u" + i);
        }
        String unknownResourceType = TestTokens.sign(CERT, APP_ID, T0.getEpochSecond(), ttl, new Service.Rtm2(
                List.of(new Privilege(Service.RTM2_LOGIN, ttl)), "alice",
                List.of(new Service.Rtm2Permission(9, Service.RTM2_READ, List.of("x")))));
        String badName = TestTokens.sign(CERT, APP_ID, T0.getEpochSecond(), ttl, new Service.Rtm2(
                List.of(new Privilege(Service.RTM2_LOGIN, ttl)), "alice",
                List.of(new Service.Rtm2Permission(Service.RTM2_USERS, Service.RTM2_READ, List.of("a/b")))));
        String overTheBound = TestTokens.sign(CERT, APP_ID, T0.getEpochSecond(), ttl, new Service.Rtm2(
                List.of(new Privilege(Service.RTM2_LOGIN, ttl)), "alice",
                List.of(new Service.Rtm2Permission(Service.RTM2_USERS, Service.RTM2_READ, tooMany))));

        assertThat(invalid("token", () -> renew(unknownResourceType, 0))).contains("resource type 9");
        assertThat(invalid("token", () -> renew(badName, 0))).contains("RTM2 permissions");
        assertThat(invalid("token", () -> renew(overTheBound, 0))).contains("161 resources");
    }
}
