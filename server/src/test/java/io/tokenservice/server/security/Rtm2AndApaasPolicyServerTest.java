package io.tokenservice.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tokenservice.core.issue.RtcRole;
import io.tokenservice.core.token.AccessToken2Codec;
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
import io.tokenservice.proto.v1.TokenServiceGrpc;
import io.tokenservice.server.access.AuditEvent;
import io.tokenservice.server.access.ServiceKind;
import io.tokenservice.server.audit.JsonAuditSink;
import io.tokenservice.server.auth.ApiKeyRegistry;
import io.tokenservice.server.auth.BearerHeader;
import io.tokenservice.server.auth.ClientCertificateMapping;
import io.tokenservice.server.config.DenyListSettings;
import io.tokenservice.server.config.SecuritySettings;
import io.tokenservice.server.config.ServerConfig;
import io.tokenservice.server.denylist.DenyList;
import io.tokenservice.server.policy.CallerPolicy;
import io.tokenservice.server.policy.GlobList;
import io.tokenservice.server.ratelimit.RateLimit;
import io.tokenservice.server.testing.TestSecrets;
import io.tokenservice.server.testing.TokenServerExtension;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * RTM 2.x permissions and APaaS tokens under real caller security: each resource, room and user judged by the
 * policy's channel and identity patterns, APaaS app tokens only when granted, the deny-list, renewal judged by
 * the current policy, refusals before parsing, and audit records without a token.
 */
class Rtm2AndApaasPolicyServerTest {
    private static final String APP_ID = "0123456789abcdef0123456789abcdef";
    private static final String APP_CERTIFICATE = TestSecrets.register("fedcba9876543210fedcba9876543210");
    private static final String CLASSROOM_KEY = TestSecrets.register("tsk_classroom_key_for_tests_01");
    private static final String BACKEND_KEY = TestSecrets.register("tsk_backend_key_for_tests_0002");
    private static final String RTC_KEY = TestSecrets.register("tsk_rtc_only_key_for_tests_003");

    private static CallerSecurity security;
    private final List<String> issued = new ArrayList<>();

    @RegisterExtension
    static final TokenServerExtension server = new TokenServerExtension() {
        @Override
        protected void configure(ServerConfig.Builder config) {
            security = new CallerSecurity(settings(List.of("room-*", "stage-*"), DenyList.empty()), audit,
                    Clock.systemUTC(), System::nanoTime);
            security.wire(config.app(APP_ID, APP_CERTIFICATE));
        }
    };

    /**
     * classroom: RTM and APaaS in {@code channels} for users user-*, no APaaS app token; backend: APaaS with app
     * tokens; rtc-only: RTC alone.
     */
    static SecuritySettings settings(List<String> channels, DenyList denyList) {
        ApiKeyRegistry keys = ApiKeyRegistry.builder().addKey("classroom", CLASSROOM_KEY).addKey("backend", BACKEND_KEY)
                .addKey("rtc-only", RTC_KEY).build();
        Map<String, CallerPolicy> policies = new LinkedHashMap<>();
        policies.put("classroom", new CallerPolicy(GlobList.of(List.of(APP_ID)),
                EnumSet.of(ServiceKind.RTM, ServiceKind.APAAS), GlobList.of(channels), GlobList.of(List.of("user-*")),
                Set.of(), 3600, false, false, true, false, false));
        policies.put("backend", new CallerPolicy(GlobList.any(), EnumSet.of(ServiceKind.APAAS), GlobList.none(),
                GlobList.none(), Set.of(), 3600, false, false, true, false, true));
        policies.put("rtc-only", new CallerPolicy(GlobList.any(), EnumSet.of(ServiceKind.RTC), GlobList.any(),
                GlobList.any(), EnumSet.allOf(RtcRole.class), 3600, false, false, true, false, true));
        return new SecuritySettings(keys, ClientCertificateMapping.empty(), policies, Map.of(), RateLimit.DEFAULT,
                new DenyListSettings(Optional.empty(), denyList, DenyListSettings.DEFAULT_POLL_INTERVAL));
    }

    @BeforeEach
    void reset() {
        security.apply(settings(List.of("room-*", "stage-*"), DenyList.empty()));
    }

    @AfterEach
    void noAuditRecordHoldsAToken() {
        for (AuditEvent event : server.audit.events()) {
            String json = JsonAuditSink.toJson(event);
            for (String token : issued) {
                assertThat(json).doesNotContain(token).doesNotContain(token.substring(3, 40));
            }
            assertThat(json).doesNotContain(APP_CERTIFICATE).doesNotContain(CLASSROOM_KEY).doesNotContain(BACKEND_KEY);
        }
    }

    private static TokenServiceGrpc.TokenServiceBlockingStub as(String key) {
        return server.stub().withCallCredentials(BearerHeader.bearer(key));
    }

    private IssuedToken keep(IssuedToken token) {
        issued.add(token.getToken());
        return token;
    }

    private static String denial(Runnable call) {
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call::run);
        assertThat(e).as("expected a refusal").isNotNull();
        assertThat(e.getStatus().getCode()).as("status %s", e.getStatus()).isEqualTo(Status.Code.PERMISSION_DENIED);
        return e.getStatus().getDescription();
    }

    private static IssueRtmTokenRequest rtm2(String userId, Rtm2ResourceType type, String... resources) {
        return IssueRtmTokenRequest.newBuilder().setAppId(APP_ID).setUserId(userId).addPermissions(Rtm2Permission
                .newBuilder().setResourceType(type).setAccess(Rtm2Access.RTM2_ACCESS_WRITE).addAllResources(List.of(resources)))
                .build();
    }

    private static IssueApaasTokenRequest roomUser(String room, String user) {
        return IssueApaasTokenRequest.newBuilder().setAppId(APP_ID)
                .setRoomUser(ApaasRoomUser.newBuilder().setRoomUuid(room).setUserUuid(user).setRole(2)).build();
    }

    private static IssueApaasTokenRequest app() {
        return IssueApaasTokenRequest.newBuilder().setAppId(APP_ID).setApp(ApaasAppToken.getDefaultInstance()).build();
    }

    @Test
    void rtm2ChannelResourcesAreJudgedAsChannelsAndUserResourcesAsIdentities() {
        keep(as(CLASSROOM_KEY).issueRtmToken(rtm2("user-1", Rtm2ResourceType.RTM2_RESOURCE_TYPE_STREAM_CHANNELS,
                "stage-1", "room-9")));
        keep(as(CLASSROOM_KEY).issueRtmToken(rtm2("user-1", Rtm2ResourceType.RTM2_RESOURCE_TYPE_USERS, "user-2")));

        assertThat(denial(() -> as(CLASSROOM_KEY).issueRtmToken(rtm2("user-1",
                Rtm2ResourceType.RTM2_RESOURCE_TYPE_STREAM_CHANNELS, "stage-1", "backstage"))))
                .isEqualTo("policy of caller 'classroom': RTM2 stream channel 'backstage' matches none of "
                        + "[room-*, stage-*] (channels)");
        assertThat(denial(() -> as(CLASSROOM_KEY).issueRtmToken(rtm2("user-1",
                Rtm2ResourceType.RTM2_RESOURCE_TYPE_SERVER_GROUPS, "ops"))))
                .contains("RTM2 server group 'ops' matches none of");
        assertThat(denial(() -> as(CLASSROOM_KEY).issueRtmToken(rtm2("user-1",
                Rtm2ResourceType.RTM2_RESOURCE_TYPE_USERS, "admin"))))
                .isEqualTo("policy of caller 'classroom': RTM2 user 'admin' matches none of [user-*] (identities)");
        assertThat(denial(() -> as(CLASSROOM_KEY).issueRtmToken(rtm2("admin",
                Rtm2ResourceType.RTM2_RESOURCE_TYPE_USERS, "user-2"))))
                .contains("RTM user id 'admin' matches none of");
    }

    @Test
    void apaasRoomsAreJudgedAsChannelsUsersAsIdentitiesAndAppTokensOnlyWhenGranted() {
        IssuedToken token = keep(as(CLASSROOM_KEY).issueApaasToken(roomUser("room-1", "user-1")));
        assertThat(AccessToken2Codec.decode(token.getToken()).verify(APP_CERTIFICATE)).isTrue();
        keep(as(CLASSROOM_KEY).issueApaasToken(IssueApaasTokenRequest.newBuilder().setAppId(APP_ID)
                .setUser(ApaasUser.newBuilder().setUserUuid("user-3")).build()));

        assertThat(denial(() -> as(CLASSROOM_KEY).issueApaasToken(roomUser("lobby", "user-1"))))
                .isEqualTo("policy of caller 'classroom': APaaS room uuid 'lobby' matches none of [room-*, stage-*]");
        assertThat(denial(() -> as(CLASSROOM_KEY).issueApaasToken(roomUser("room-1", "teacher"))))
                .isEqualTo("policy of caller 'classroom': APaaS user uuid 'teacher' matches none of [user-*]");
        assertThat(denial(() -> as(CLASSROOM_KEY).issueApaasToken(app())))
                .isEqualTo("policy of caller 'classroom': APaaS app tokens are not allowed "
                        + "(allow_apaas_app_token: false)");
        keep(as(BACKEND_KEY).issueApaasToken(app()));
    }

    @Test
    void apaasIsRefusedBeforeTheRequestIsRead() {
        assertThat(denial(() -> as(RTC_KEY).issueApaasToken(IssueApaasTokenRequest.getDefaultInstance())))
                .as("an invalid request from a caller without apaas learns nothing about it")
                .isEqualTo("policy of caller 'rtc-only': service apaas is not allowed (services: [rtc])");
        assertThat(denial(() -> as(CLASSROOM_KEY).issueApaasToken(IssueApaasTokenRequest.newBuilder()
                .setAppId("ffffffffffffffffffffffffffffffff").build())))
                .as("the app before the rest of the request").contains("app 'ffffffffffffffffffffffffffffffff'");
        assertThat(server.audit.events()).extracting(AuditEvent::outcome).containsOnly(Status.Code.PERMISSION_DENIED);
    }

    @Test
    void theDenyListCoversRtm2ResourcesAndApaasRoomsAndUsers() {
        security.apply(settings(List.of("room-*", "stage-*"), DenyList.parse("channel:stage-banned\nuser:user-9\n")));

        assertThat(denial(() -> as(CLASSROOM_KEY).issueRtmToken(rtm2("user-1",
                Rtm2ResourceType.RTM2_RESOURCE_TYPE_MESSAGE_CHANNELS, "stage-banned"))))
                .isEqualTo("deny-list: RTM2 channel resource 'stage-banned' is denied");
        assertThat(denial(() -> as(CLASSROOM_KEY).issueRtmToken(rtm2("user-1",
                Rtm2ResourceType.RTM2_RESOURCE_TYPE_USERS, "user-9"))))
                .isEqualTo("deny-list: RTM2 user resource 'user-9' is denied");
        assertThat(denial(() -> as(CLASSROOM_KEY).issueApaasToken(roomUser("stage-banned", "user-1"))))
                .isEqualTo("deny-list: channel 'stage-banned' is denied");
        assertThat(denial(() -> as(CLASSROOM_KEY).issueApaasToken(roomUser("room-1", "user-9"))))
                .isEqualTo("deny-list: APaaS user uuid 'user-9' is denied");
    }

    @Test
    void renewalKeepsTheGrantAndIsJudgedByTheCurrentPolicy() {
        IssuedToken rtm2 = keep(as(CLASSROOM_KEY).issueRtmToken(rtm2("user-1",
                Rtm2ResourceType.RTM2_RESOURCE_TYPE_STREAM_CHANNELS, "stage-1")));
        IssuedToken room = keep(as(CLASSROOM_KEY).issueApaasToken(roomUser("room-1", "user-1")));
        IssuedToken appToken = keep(as(BACKEND_KEY).issueApaasToken(app()));

        IssuedToken renewedRtm2 = keep(as(CLASSROOM_KEY).renewToken(RenewTokenRequest.newBuilder()
                .setToken(rtm2.getToken()).build()));
        assertThat(renewedRtm2.getServicesList()).isEqualTo(rtm2.getServicesList());
        assertThat(AccessToken2Codec.decode(renewedRtm2.getToken()).content().services())
                .isEqualTo(AccessToken2Codec.decode(rtm2.getToken()).content().services());
        IssuedToken renewedRoom = keep(as(CLASSROOM_KEY).renewToken(RenewTokenRequest.newBuilder()
                .setToken(room.getToken()).build()));
        assertThat(AccessToken2Codec.decode(renewedRoom.getToken()).content().services())
                .isEqualTo(AccessToken2Codec.decode(room.getToken()).content().services());
        assertThat(denial(() -> as(CLASSROOM_KEY).renewToken(RenewTokenRequest.newBuilder()
                .setToken(appToken.getToken()).build())))
                .as("renewing is asking anew").contains("allow_apaas_app_token: false");
        keep(as(BACKEND_KEY).renewToken(RenewTokenRequest.newBuilder().setToken(appToken.getToken()).build()));

        security.apply(settings(List.of("room-*"), DenyList.empty()));
        assertThat(denial(() -> as(CLASSROOM_KEY).renewToken(RenewTokenRequest.newBuilder()
                .setToken(rtm2.getToken()).build())))
                .isEqualTo("policy of caller 'classroom': RTM2 stream channel 'stage-1' matches none of [room-*] "
                        + "(channels)");
        keep(as(CLASSROOM_KEY).renewToken(RenewTokenRequest.newBuilder().setToken(room.getToken()).build()));
    }

    @Test
    void auditRecordsNameTheNewGrants() {
        keep(as(CLASSROOM_KEY).issueRtmToken(rtm2("user-1", Rtm2ResourceType.RTM2_RESOURCE_TYPE_USERS, "user-2")));
        assertThat(JsonAuditSink.toJson(server.audit.last()))
                .contains("\"rpc\":\"IssueRtmToken\"")
                .contains("\"rtm2_permissions\":[{\"resource_type\":\"users\",\"access\":\"write\","
                        + "\"resources\":[\"user-2\"]}]");

        IssuedToken room = keep(as(CLASSROOM_KEY).issueApaasToken(roomUser("room-1", "user-1")));
        String json = JsonAuditSink.toJson(server.audit.last());
        assertThat(json).contains("\"rpc\":\"IssueApaasToken\"").contains("\"channel\":\"room-1\"")
                .contains("\"identity\":\"user-1\"").contains("\"services\":[\"apaas\"]")
                .contains("\"privileges\":[\"rtm_login\",\"chat_user\",\"apaas_room_user\"]")
                .contains("\"apaas_role\":2").contains("\"token_sha256\":\"" + room.getTokenSha256Prefix() + "\"");

        keep(as(BACKEND_KEY).issueApaasToken(app()));
        assertThat(JsonAuditSink.toJson(server.audit.last())).contains("\"identity\":\"\"")
                .contains("\"privileges\":[\"apaas_app\"]");
        assertThat(AccessToken2Codec.decode(room.getToken()).content().service(Service.Apaas.class)).isPresent();
    }
}
