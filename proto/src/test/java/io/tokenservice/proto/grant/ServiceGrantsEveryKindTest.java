package io.tokenservice.proto.grant;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.Timestamp;
import io.tokenservice.core.token.Privilege;
import io.tokenservice.core.token.Service;
import io.tokenservice.proto.v1.PrivilegeGrant;
import io.tokenservice.proto.v1.ServiceGrant;
import io.tokenservice.proto.v1.ServiceType;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every kind of service core knows maps to the API: type, identity and privileges. */
class ServiceGrantsEveryKindTest {
    private static final long ISSUE_TS = 1_700_000_000L;
    /** Key 1 ends 600 s after issue; key 2 has no end of its own (0), so its grant has no expires_at. */
    private static final List<Privilege> PRIVILEGES = List.of(new Privilege(1, 600), new Privilege(2, 0));

    /** One service of every kind core knows, and the grant the API shows for it. */
    static Stream<Arguments> everyKind() {
        return Stream.of(
                Arguments.of(new Service.Rtc(PRIVILEGES, "room", "42"),
                        grant(ServiceType.SERVICE_TYPE_RTC, io.tokenservice.proto.v1.Privilege.PRIVILEGE_RTC_JOIN_CHANNEL,
                                io.tokenservice.proto.v1.Privilege.PRIVILEGE_RTC_PUBLISH_AUDIO_STREAM)
                                .setChannel("room").setUid("42").build()),
                Arguments.of(new Service.Rtm(PRIVILEGES, "alice"),
                        grant(ServiceType.SERVICE_TYPE_RTM, io.tokenservice.proto.v1.Privilege.PRIVILEGE_RTM_LOGIN,
                                io.tokenservice.proto.v1.Privilege.PRIVILEGE_OTHER)
                                .setUserId("alice").build()),
                Arguments.of(new Service.Streaming(PRIVILEGES, "live", "anchor"),
                        other(ServiceType.SERVICE_TYPE_STREAMING).setChannel("live").setUid("anchor").build()),
                Arguments.of(new Service.Fpa(PRIVILEGES), other(ServiceType.SERVICE_TYPE_FPA).build()),
                Arguments.of(new Service.Chat(PRIVILEGES, "bob"),
                        grant(ServiceType.SERVICE_TYPE_CHAT, io.tokenservice.proto.v1.Privilege.PRIVILEGE_CHAT_USER,
                                io.tokenservice.proto.v1.Privilege.PRIVILEGE_CHAT_APP)
                                .setUserId("bob").build()),
                Arguments.of(new Service.Fcdn(PRIVILEGES, "cdn", "viewer"),
                        other(ServiceType.SERVICE_TYPE_FCDN).setChannel("cdn").setUid("viewer").build()),
                Arguments.of(new Service.Apaas(PRIVILEGES, "room-uuid", "user-uuid", (short) 2),
                        grant(ServiceType.SERVICE_TYPE_APAAS, io.tokenservice.proto.v1.Privilege.PRIVILEGE_APAAS_ROOM_USER,
                                io.tokenservice.proto.v1.Privilege.PRIVILEGE_APAAS_USER)
                                .setApaasRoomUuid("room-uuid").setUserId("user-uuid").setApaasRole(2).build()),
                Arguments.of(new Service.Rtm2(PRIVILEGES, "carol", List.of()),
                        grant(ServiceType.SERVICE_TYPE_RTM2, io.tokenservice.proto.v1.Privilege.PRIVILEGE_RTM_LOGIN,
                                io.tokenservice.proto.v1.Privilege.PRIVILEGE_OTHER)
                                .setUserId("carol").build()),
                Arguments.of(new Service.ConvoAi(PRIVILEGES), other(ServiceType.SERVICE_TYPE_CONVOAI).build()),
                Arguments.of(new Service.Stt(PRIVILEGES), other(ServiceType.SERVICE_TYPE_STT).build()));
    }

    @Test
    void everyKindOfCoreServiceHasACase() {
        Set<Class<?>> covered = everyKind().map(a -> a.get()[0].getClass()).collect(Collectors.toSet());
        assertEquals(Set.of(Service.class.getPermittedSubclasses()), covered,
                "a kind of Service core knows has no case in everyKind(): add it, and its mapping to ServiceGrants");
    }

    @ParameterizedTest
    @MethodSource("everyKind")
    void mapsTypeIdentityAndPrivileges(Service service, ServiceGrant expected) {
        assertEquals(expected, ServiceGrants.of(service, ISSUE_TS));
        assertEquals(service.type(), expected.getServiceValue(), "the API's service numbers are Agora's");
    }

    private static ServiceGrant.Builder grant(ServiceType type, io.tokenservice.proto.v1.Privilege key1,
            io.tokenservice.proto.v1.Privilege key2) {
        return ServiceGrant.newBuilder().setService(type)
                .addPrivileges(PrivilegeGrant.newBuilder().setPrivilege(key1).setAgoraKey(1)
                        .setExpiresAt(Timestamp.newBuilder().setSeconds(ISSUE_TS + 600)))
                .addPrivileges(PrivilegeGrant.newBuilder().setPrivilege(key2).setAgoraKey(2));
    }

    private static ServiceGrant.Builder other(ServiceType type) {
        return grant(type, io.tokenservice.proto.v1.Privilege.PRIVILEGE_OTHER,
                io.tokenservice.proto.v1.Privilege.PRIVILEGE_OTHER);
    }
}
