package io.tokenservice.server.issue;

import static io.tokenservice.server.testing.Statuses.failure;
import static io.tokenservice.server.testing.Statuses.fieldViolations;
import static io.tokenservice.server.testing.Statuses.invalid;
import static io.tokenservice.server.testing.TestApps.APP_ID;
import static io.tokenservice.server.testing.TestApps.CERT;
import static io.tokenservice.server.testing.TestApps.T0;
import static io.tokenservice.server.testing.TestApps.UNKNOWN_APP_ID;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
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
import io.tokenservice.proto.v1.Rtm2Access;
import io.tokenservice.proto.v1.Rtm2Permission;
import io.tokenservice.proto.v1.Rtm2ResourceType;
import io.tokenservice.proto.v1.ServiceGrant;
import io.tokenservice.proto.v1.ServiceType;
import io.tokenservice.proto.v1.TokenVersion;
import io.tokenservice.server.access.GrantRequest;
import io.tokenservice.server.access.RequestedService;
import io.tokenservice.server.access.Rpc;
import io.tokenservice.server.testing.TokenServerExtension;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** IssueRtmToken with RTM 2.x permissions and IssueApaasToken against a real Netty server. */
class IssueRtm2AndApaasTokenTest {
    @RegisterExtension
    static final TokenServerExtension server = new TokenServerExtension();

    private static ParsedAccessToken2 decode(IssuedToken issued) {
        ParsedAccessToken2 parsed = AccessToken2Codec.decode(issued.getToken());
        assertThat(parsed.verify(CERT)).isTrue();
        return parsed;
    }

    private static Rtm2Permission permission(Rtm2ResourceType type, Rtm2Access access, String... resources) {
        return Rtm2Permission.newBuilder().setResourceType(type).setAccess(access).addAllResources(List.of(resources))
                .build();
    }

    private static IssueRtmTokenRequest.Builder rtm(Rtm2Permission... permissions) {
        return IssueRtmTokenRequest.newBuilder().setUserId("alice").addAllPermissions(List.of(permissions));
    }

    @Test
    void permissionsMintTheRtm2ServiceWithExactlyThoseResources() {
        long salt = server.nextSalt();
        IssuedToken issued = server.stub().issueRtmToken(rtm(
                permission(Rtm2ResourceType.RTM2_RESOURCE_TYPE_USERS, Rtm2Access.RTM2_ACCESS_READ, "bob", "carol"),
                permission(Rtm2ResourceType.RTM2_RESOURCE_TYPE_STREAM_CHANNELS, Rtm2Access.RTM2_ACCESS_WRITE, "stage"),
                permission(Rtm2ResourceType.RTM2_RESOURCE_TYPE_STREAM_CHANNELS, Rtm2Access.RTM2_ACCESS_READ, "stage",
                        "lobby"))
                .setTtlSeconds(900).build());

        AccessToken2 content = decode(issued).content();
        assertThat(content.appId()).isEqualTo(APP_ID);
        assertThat(content.salt()).isEqualTo(salt);
        assertThat(content.issueTs()).isEqualTo(T0.getEpochSecond());
        assertThat(content.services()).singleElement().isInstanceOfSatisfying(Service.Rtm2.class, rtm2 -> {
            assertThat(rtm2.userId()).isEqualTo("alice");
            assertThat(rtm2.privileges()).containsExactly(new Privilege(Service.RTM2_LOGIN, 900));
            // As the codec writes them: by resource type, then permission type.
            assertThat(rtm2.permissions()).containsExactly(
                    new Service.Rtm2Permission(Service.RTM2_STREAM_CHANNELS, Service.RTM2_READ, List.of("stage", "lobby")),
                    new Service.Rtm2Permission(Service.RTM2_STREAM_CHANNELS, Service.RTM2_WRITE, List.of("stage")),
                    new Service.Rtm2Permission(Service.RTM2_USERS, Service.RTM2_READ, List.of("bob", "carol")));
        });
        ServiceGrant grant = issued.getServices(0);
        assertThat(grant.getService()).isEqualTo(ServiceType.SERVICE_TYPE_RTM2);
        assertThat(grant.getUserId()).isEqualTo("alice");
        assertThat(grant.getPrivileges(0).getPrivilege()).isEqualTo(io.tokenservice.proto.v1.Privilege.PRIVILEGE_RTM_LOGIN);
        assertThat(grant.getRtm2PermissionsList()).containsExactly(
                permission(Rtm2ResourceType.RTM2_RESOURCE_TYPE_STREAM_CHANNELS, Rtm2Access.RTM2_ACCESS_READ, "stage", "lobby"),
                permission(Rtm2ResourceType.RTM2_RESOURCE_TYPE_STREAM_CHANNELS, Rtm2Access.RTM2_ACCESS_WRITE, "stage"),
                permission(Rtm2ResourceType.RTM2_RESOURCE_TYPE_USERS, Rtm2Access.RTM2_ACCESS_READ, "bob", "carol"));
        assertThat(server.gate.last()).isEqualTo(new GrantRequest(Rpc.ISSUE_RTM_TOKEN, APP_ID, List.of(
                RequestedService.rtm("alice", List.of(
                        Rtm2TokenRequest.permission(Rtm2TokenRequest.ResourceType.USERS, Rtm2TokenRequest.Access.READ,
                                List.of("bob", "carol")),
                        Rtm2TokenRequest.permission(Rtm2TokenRequest.ResourceType.STREAM_CHANNELS,
                                Rtm2TokenRequest.Access.WRITE, List.of("stage")),
                        Rtm2TokenRequest.permission(Rtm2TokenRequest.ResourceType.STREAM_CHANNELS,
                                Rtm2TokenRequest.Access.READ, List.of("stage", "lobby"))))), 900));
    }

    @Test
    void noPermissionsIsThePlainRtmLoginAsBefore() {
        IssuedToken issued = server.stub().issueRtmToken(rtm().build());

        assertThat(decode(issued).content().services()).containsExactly(
                new Service.Rtm(List.of(new Privilege(Service.RTM_LOGIN, 3600)), "alice"));
        assertThat(issued.getServices(0).getRtm2PermissionsList()).isEmpty();
    }

    @Test
    void everyResourceTypeAndAccessMapsToAgorasNumbers() {
        Rtm2ResourceType[] types = {Rtm2ResourceType.RTM2_RESOURCE_TYPE_MESSAGE_CHANNELS,
                Rtm2ResourceType.RTM2_RESOURCE_TYPE_STREAM_CHANNELS, Rtm2ResourceType.RTM2_RESOURCE_TYPE_GROUP_CHANNELS,
                Rtm2ResourceType.RTM2_RESOURCE_TYPE_SERVER_GROUPS, Rtm2ResourceType.RTM2_RESOURCE_TYPE_USERS};
        IssueRtmTokenRequest.Builder request = rtm();
        for (Rtm2ResourceType type : types) {
            request.addPermissions(permission(type, Rtm2Access.RTM2_ACCESS_WRITE, "r" + type.getNumber()));
        }
        Service.Rtm2 rtm2 = (Service.Rtm2) decode(server.stub().issueRtmToken(request.build())).content().services()
                .get(0);
        for (int agora = 0; agora < types.length; agora++) {
            assertThat(rtm2.permissions().get(agora)).isEqualTo(new Service.Rtm2Permission(agora, Service.RTM2_WRITE,
                    List.of("r" + types[agora].getNumber())));
        }
    }

    @Test
    void badPermissionsNameTheirField() {
        assertThat(invalid("permissions[0].resource_type", () -> server.stub().issueRtmToken(rtm(
                permission(Rtm2ResourceType.RTM2_RESOURCE_TYPE_UNSPECIFIED, Rtm2Access.RTM2_ACCESS_READ, "x")).build())))
                .startsWith("is required");
        assertThat(invalid("permissions[1].access", () -> server.stub().issueRtmToken(rtm(
                permission(Rtm2ResourceType.RTM2_RESOURCE_TYPE_USERS, Rtm2Access.RTM2_ACCESS_READ, "x"),
                Rtm2Permission.newBuilder().setResourceType(Rtm2ResourceType.RTM2_RESOURCE_TYPE_USERS)
                        .setAccessValue(7).addResources("y").build()).build())))
                .contains("unknown value 7");
        invalid("permissions[0].resources", () -> server.stub().issueRtmToken(rtm(
                permission(Rtm2ResourceType.RTM2_RESOURCE_TYPE_USERS, Rtm2Access.RTM2_ACCESS_READ)).build()));
        invalid("permissions[0].resources[1]", () -> server.stub().issueRtmToken(rtm(
                permission(Rtm2ResourceType.RTM2_RESOURCE_TYPE_USERS, Rtm2Access.RTM2_ACCESS_READ, "ok", "a/b")).build()));
        invalid("permissions[0].resources[0]", () -> server.stub().issueRtmToken(rtm(
                permission(Rtm2ResourceType.RTM2_RESOURCE_TYPE_MESSAGE_CHANNELS, Rtm2Access.RTM2_ACCESS_READ,
                        "c".repeat(65))).build()));
        assertThat(invalid("permissions[1]", () -> server.stub().issueRtmToken(rtm(
                permission(Rtm2ResourceType.RTM2_RESOURCE_TYPE_USERS, Rtm2Access.RTM2_ACCESS_READ, "a"),
                permission(Rtm2ResourceType.RTM2_RESOURCE_TYPE_USERS, Rtm2Access.RTM2_ACCESS_READ, "b")).build())))
                .contains("repeats");
        assertThat(invalid("permissions", () -> server.stub().issueRtmToken(rtm(
                permission(Rtm2ResourceType.RTM2_RESOURCE_TYPE_USERS, Rtm2Access.RTM2_ACCESS_READ, "a"))
                .setTokenVersion(TokenVersion.TOKEN_VERSION_006).build())))
                .contains("TOKEN_VERSION_006");
    }

    @Test
    void atMost160ResourcesInAll() {
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            users.add("u" + i);
        }
        assertThat(invalid("permissions", () -> server.stub().issueRtmToken(rtm(
                permission(Rtm2ResourceType.RTM2_RESOURCE_TYPE_USERS, Rtm2Access.RTM2_ACCESS_READ, users.toArray(String[]::new)),
                permission(Rtm2ResourceType.RTM2_RESOURCE_TYPE_USERS, Rtm2Access.RTM2_ACCESS_WRITE,
                        users.subList(0, 61).toArray(String[]::new))).build())))
                .contains("161 resources").contains("at most 160");
    }

    /** The bound keeps the worst case (160 names of 64 random characters, which barely compress) decodable. */
    @Test
    void the160LongestLeastCompressibleResourcesStillMakeADecodableToken() {
        Random random = new Random(15);
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 !#$%&()+-:;<=.>?@[]^_{}|~,";
        IssueRtmTokenRequest.Builder request = rtm();
        for (Rtm2ResourceType type : List.of(Rtm2ResourceType.RTM2_RESOURCE_TYPE_MESSAGE_CHANNELS,
                Rtm2ResourceType.RTM2_RESOURCE_TYPE_STREAM_CHANNELS, Rtm2ResourceType.RTM2_RESOURCE_TYPE_GROUP_CHANNELS,
                Rtm2ResourceType.RTM2_RESOURCE_TYPE_USERS)) {
            List<String> names = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                StringBuilder name = new StringBuilder("x");
                while (name.length() < 64) {
                    name.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
                names.add(name.toString());
            }
            request.addPermissions(permission(type, Rtm2Access.RTM2_ACCESS_READ, names.toArray(String[]::new)));
        }
        IssuedToken issued = server.stub().issueRtmToken(request.setUserId("u".repeat(64)).build());

        assertThat(issued.getToken().length()).isLessThanOrEqualTo(AccessToken2Codec.MAX_TOKEN_CHARS);
        Service.Rtm2 rtm2 = (Service.Rtm2) decode(issued).content().services().get(0);
        assertThat(rtm2.permissions().stream().mapToInt(p -> p.resources().size()).sum()).isEqualTo(160);
    }

    @Test
    void apaasRoomUserTokenLogsInToRtmAndChatAsAgorasBuildersWriteIt() throws Exception {
        long salt = server.nextSalt();
        IssuedToken issued = server.stub().issueApaasToken(IssueApaasTokenRequest.newBuilder()
                .setRoomUser(ApaasRoomUser.newBuilder().setRoomUuid("room-1").setUserUuid("student-7").setRole(2))
                .setTtlSeconds(1800).build());

        String chatUser = String.format("%032x", new BigInteger(1, MessageDigest.getInstance("MD5")
                .digest("student-7".getBytes(StandardCharsets.UTF_8))));
        assertThat(decode(issued).content()).isEqualTo(new AccessToken2(APP_ID, T0.getEpochSecond(), 1800, salt, List.of(
                new Service.Rtm(List.of(new Privilege(Service.RTM_LOGIN, 1800)), "student-7"),
                new Service.Chat(List.of(new Privilege(Service.CHAT_USER, 1800)), chatUser),
                new Service.Apaas(List.of(new Privilege(Service.APAAS_ROOM_USER, 1800)), "room-1", "student-7",
                        (short) 2))));
        assertThat(issued.getServicesList()).extracting(ServiceGrant::getService).containsExactly(
                ServiceType.SERVICE_TYPE_RTM, ServiceType.SERVICE_TYPE_CHAT, ServiceType.SERVICE_TYPE_APAAS);
        ServiceGrant apaas = issued.getServices(2);
        assertThat(apaas.getApaasRoomUuid()).isEqualTo("room-1");
        assertThat(apaas.getUserId()).isEqualTo("student-7");
        assertThat(apaas.getApaasRole()).isEqualTo(2);
        assertThat(apaas.getPrivileges(0).getPrivilege())
                .isEqualTo(io.tokenservice.proto.v1.Privilege.PRIVILEGE_APAAS_ROOM_USER);
        assertThat(server.gate.last()).isEqualTo(new GrantRequest(Rpc.ISSUE_APAAS_TOKEN, APP_ID,
                List.of(RequestedService.apaasRoomUser("room-1", "student-7", 2)), 1800));
    }

    @Test
    void apaasUserAndAppTokens() {
        IssuedToken user = server.stub().issueApaasToken(IssueApaasTokenRequest.newBuilder()
                .setUser(ApaasUser.newBuilder().setUserUuid("teacher-1")).build());
        assertThat(decode(user).content().services()).containsExactly(new Service.Apaas(
                List.of(new Privilege(Service.APAAS_USER, 3600)), "", "teacher-1", (short) -1));
        assertThat(user.getServices(0).getApaasRole()).isEqualTo(-1);
        assertThat(user.getServices(0).getPrivileges(0).getPrivilege())
                .isEqualTo(io.tokenservice.proto.v1.Privilege.PRIVILEGE_APAAS_USER);
        assertThat(server.gate.last().services()).containsExactly(RequestedService.apaas("teacher-1"));

        IssuedToken app = server.stub().issueApaasToken(IssueApaasTokenRequest.newBuilder()
                .setApp(ApaasAppToken.getDefaultInstance()).setTtlSeconds(600).build());
        assertThat(decode(app).content().services()).containsExactly(new Service.Apaas(
                List.of(new Privilege(Service.APAAS_APP, 600)), "", "", (short) -1));
        assertThat(app.getServices(0).getPrivileges(0).getPrivilege())
                .isEqualTo(io.tokenservice.proto.v1.Privilege.PRIVILEGE_APAAS_APP);
        assertThat(server.gate.last().services().get(0).isApaasAppToken()).isTrue();
    }

    @Test
    void apaasInputRulesNameTheirField() {
        assertThat(invalid("subject", () -> server.stub().issueApaasToken(IssueApaasTokenRequest.getDefaultInstance())))
                .contains("room_user").contains("user").contains("app");
        assertThat(fieldViolations(failure(Status.Code.INVALID_ARGUMENT, () -> server.stub().issueApaasToken(
                IssueApaasTokenRequest.newBuilder().setRoomUser(ApaasRoomUser.newBuilder().setRoomUuid("a/b")
                        .setUserUuid(" lead").setRole(-1)).setTtlSeconds(10).build()))).keySet())
                .containsExactlyInAnyOrder("room_user.room_uuid", "room_user.user_uuid", "room_user.role", "ttl_seconds");
        invalid("room_user.role", () -> server.stub().issueApaasToken(IssueApaasTokenRequest.newBuilder()
                .setRoomUser(ApaasRoomUser.newBuilder().setRoomUuid("r").setUserUuid("u").setRole(40000)).build()));
        invalid("room_user.room_uuid", () -> server.stub().issueApaasToken(IssueApaasTokenRequest.newBuilder()
                .setRoomUser(ApaasRoomUser.newBuilder().setUserUuid("u")).build()));
        invalid("user.user_uuid", () -> server.stub().issueApaasToken(IssueApaasTokenRequest.newBuilder()
                .setUser(ApaasUser.newBuilder().setUserUuid("u".repeat(65))).build()));
        invalid("app_id", () -> server.stub().issueApaasToken(IssueApaasTokenRequest.newBuilder()
                .setApp(ApaasAppToken.getDefaultInstance()).setAppId("123").build()));
        failure(Status.Code.NOT_FOUND, () -> server.stub().issueApaasToken(IssueApaasTokenRequest.newBuilder()
                .setApp(ApaasAppToken.getDefaultInstance()).setAppId(UNKNOWN_APP_ID).build()));
    }
}
