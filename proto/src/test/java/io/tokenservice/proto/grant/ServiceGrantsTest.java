package io.tokenservice.proto.grant;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tokenservice.core.token.Privilege;
import io.tokenservice.core.token.Service;
import io.tokenservice.proto.v1.Rtm2Access;
import io.tokenservice.proto.v1.Rtm2Permission;
import io.tokenservice.proto.v1.Rtm2ResourceType;
import io.tokenservice.proto.v1.ServiceGrant;
import io.tokenservice.proto.v1.ServiceType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one mapping of core's token content onto ServiceGrant, for the kinds it names field by field. */
class ServiceGrantsTest {
  private static final long ISSUED = 1_700_000_000L;

  @Test
  void rtm2PermissionsInEncodedOrderWithTheContractsNumbers() {
    ServiceGrant grant = ServiceGrants.of(new Service.Rtm2(List.of(new Privilege(Service.RTM2_LOGIN, 600)), "alice",
        List.of(new Service.Rtm2Permission(Service.RTM2_USERS, Service.RTM2_WRITE, List.of("bob")),
            new Service.Rtm2Permission(Service.RTM2_MESSAGE_CHANNELS, Service.RTM2_READ, List.of("a", "b")),
            new Service.Rtm2Permission(7, 5, List.of("x")))), ISSUED);

    assertEquals(ServiceType.SERVICE_TYPE_RTM2, grant.getService());
    assertEquals("alice", grant.getUserId());
    assertEquals(io.tokenservice.proto.v1.Privilege.PRIVILEGE_RTM_LOGIN, grant.getPrivileges(0).getPrivilege());
    assertEquals(ISSUED + 600, grant.getPrivileges(0).getExpiresAt().getSeconds());
    assertEquals(List.of(
        Rtm2Permission.newBuilder().setResourceType(Rtm2ResourceType.RTM2_RESOURCE_TYPE_MESSAGE_CHANNELS)
            .setAccess(Rtm2Access.RTM2_ACCESS_READ).addResources("a").addResources("b").build(),
        Rtm2Permission.newBuilder().setResourceType(Rtm2ResourceType.RTM2_RESOURCE_TYPE_USERS)
            .setAccess(Rtm2Access.RTM2_ACCESS_WRITE).addResources("bob").build(),
        Rtm2Permission.newBuilder().setResourceType(Rtm2ResourceType.RTM2_RESOURCE_TYPE_UNSPECIFIED)
            .setAccess(Rtm2Access.RTM2_ACCESS_UNSPECIFIED).addResources("x").build()),
        grant.getRtm2PermissionsList());
  }

  @Test
  void apaasGrantsCarryRoomUserAndRole() {
    ServiceGrant room = ServiceGrants.of(new Service.Apaas(List.of(new Privilege(Service.APAAS_ROOM_USER, 60)),
        "room-1", "u1", (short) 3), ISSUED);
    assertEquals(ServiceType.SERVICE_TYPE_APAAS, room.getService());
    assertEquals("room-1", room.getApaasRoomUuid());
    assertEquals("u1", room.getUserId());
    assertEquals(3, room.getApaasRole());
    assertEquals(io.tokenservice.proto.v1.Privilege.PRIVILEGE_APAAS_ROOM_USER, room.getPrivileges(0).getPrivilege());

    ServiceGrant app = ServiceGrants.of(new Service.Apaas(List.of(new Privilege(Service.APAAS_APP, 0)), "", "",
        (short) -1), ISSUED);
    assertEquals(-1, app.getApaasRole());
    assertEquals(io.tokenservice.proto.v1.Privilege.PRIVILEGE_APAAS_APP, app.getPrivileges(0).getPrivilege());
    assertEquals(false, app.getPrivileges(0).hasExpiresAt(), "0 = as long as the token");
    assertEquals(io.tokenservice.proto.v1.Privilege.PRIVILEGE_APAAS_USER,
        ServiceGrants.privilege(Service.TYPE_APAAS, Service.APAAS_USER));
    assertEquals(io.tokenservice.proto.v1.Privilege.PRIVILEGE_OTHER, ServiceGrants.privilege(Service.TYPE_FPA, 1));
  }
}
