package io.tokenservice.proto.grant;

import com.google.protobuf.Timestamp;
import io.tokenservice.core.token.AccessToken;
import io.tokenservice.core.token.Service;
import io.tokenservice.proto.v1.Privilege;
import io.tokenservice.proto.v1.PrivilegeGrant;
import io.tokenservice.proto.v1.Rtm2Access;
import io.tokenservice.proto.v1.Rtm2Permission;
import io.tokenservice.proto.v1.Rtm2ResourceType;
import io.tokenservice.proto.v1.ServiceGrant;
import io.tokenservice.proto.v1.ServiceType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One 007 service of core's token content as the contract's {@link ServiceGrant}: what the server answers for
 * tokens it issues and inspects, and what the Java client reads from a token string, so both say the same.
 */
public final class ServiceGrants {
    private static final Comparator<Service.Rtm2Permission> ENCODED_ORDER = Comparator
            .comparingInt(Service.Rtm2Permission::resourceType)
            .thenComparingInt(Service.Rtm2Permission::permissionType);

    private ServiceGrants() {}

    /** {@code service} as encoded; privilege end times are issue time + the relative value (0 = unset). */
    public static ServiceGrant of(Service service, long issueTs) {
        ServiceType type = ServiceType.forNumber(service.type());
        ServiceGrant.Builder grant = ServiceGrant.newBuilder()
                .setService(type == null ? ServiceType.SERVICE_TYPE_UNSPECIFIED : type);
        if (service instanceof Service.Rtc rtc) {
            grant.setChannel(rtc.channel()).setUid(rtc.uid());
        } else if (service instanceof Service.Streaming streaming) {
            grant.setChannel(streaming.channel()).setUid(streaming.account());
        } else if (service instanceof Service.Fcdn fcdn) {
            grant.setChannel(fcdn.channel()).setUid(fcdn.account());
        } else if (service instanceof Service.Rtm rtm) {
            grant.setUserId(rtm.userId());
        } else if (service instanceof Service.Rtm2 rtm2) {
            grant.setUserId(rtm2.userId());
            // The codec writes them by resource type, then access; a freshly issued token holds them as requested.
            List<Service.Rtm2Permission> encoded = new ArrayList<>(rtm2.permissions());
            encoded.sort(ENCODED_ORDER);
            for (Service.Rtm2Permission permission : encoded) {
                grant.addRtm2Permissions(rtm2Permission(permission));
            }
        } else if (service instanceof Service.Chat chat) {
            grant.setUserId(chat.userId());
        } else if (service instanceof Service.Apaas apaas) {
            grant.setUserId(apaas.userUuid()).setApaasRoomUuid(apaas.roomUuid()).setApaasRole(apaas.role());
        }
        // Privileges mostly end together (all at the token's expiry): one Timestamp serves a run of them.
        Timestamp end = null;
        for (io.tokenservice.core.token.Privilege p : service.privileges()) {
            PrivilegeGrant.Builder privilege = PrivilegeGrant.newBuilder()
                    .setPrivilege(privilege(service.type(), p.key()))
                    .setAgoraKey(p.key());
            if (p.value() != 0) {
                if (end == null || end.getSeconds() != issueTs + p.value()) {
                    end = Timestamp.newBuilder().setSeconds(issueTs + p.value()).build();
                }
                privilege.setExpiresAt(end);
            }
            grant.addPrivileges(privilege);
        }
        return grant.build();
    }

    /**
     * The grants of a 006 token's content, as InspectToken reports them without an intent: RTC for the
     * privileges other than RTM login, RTM for RTM login, each privilege with its absolute end (none for 0 =
     * never). No channel or uid: a 006 token records only their CRC32.
     */
    public static List<ServiceGrant> of006(AccessToken token) {
        ServiceGrant.Builder rtc = ServiceGrant.newBuilder().setService(ServiceType.SERVICE_TYPE_RTC);
        ServiceGrant.Builder rtm = ServiceGrant.newBuilder().setService(ServiceType.SERVICE_TYPE_RTM);
        for (io.tokenservice.core.token.Privilege p : token.privileges()) {
            PrivilegeGrant.Builder privilege = PrivilegeGrant.newBuilder()
                    .setPrivilege(privilege006(p.key()))
                    .setAgoraKey(p.key());
            if (p.value() != 0) {
                privilege.setExpiresAt(Timestamp.newBuilder().setSeconds(p.value()));
            }
            (p.key() == AccessToken.RTM_LOGIN ? rtm : rtc).addPrivileges(privilege);
        }
        List<ServiceGrant> grants = new ArrayList<>(2);
        if (rtc.getPrivilegesCount() > 0 || rtm.getPrivilegesCount() == 0) {
            grants.add(rtc.build());
        }
        if (rtm.getPrivilegesCount() > 0) {
            grants.add(rtm.build());
        }
        return grants;
    }

    /** What a 006 privilege key means (006 keys are global, not per service). */
    public static Privilege privilege006(int key) {
        return switch (key) {
            case AccessToken.JOIN_CHANNEL -> Privilege.PRIVILEGE_RTC_JOIN_CHANNEL;
            case AccessToken.PUBLISH_AUDIO_STREAM -> Privilege.PRIVILEGE_RTC_PUBLISH_AUDIO_STREAM;
            case AccessToken.PUBLISH_VIDEO_STREAM -> Privilege.PRIVILEGE_RTC_PUBLISH_VIDEO_STREAM;
            case AccessToken.PUBLISH_DATA_STREAM -> Privilege.PRIVILEGE_RTC_PUBLISH_DATA_STREAM;
            case AccessToken.RTM_LOGIN -> Privilege.PRIVILEGE_RTM_LOGIN;
            default -> Privilege.PRIVILEGE_OTHER;
        };
    }

    /** What a 007 privilege key means within its service. */
    public static Privilege privilege(int serviceType, int key) {
        return switch (serviceType) {
            case Service.TYPE_RTC -> switch (key) {
                case Service.RTC_JOIN_CHANNEL -> Privilege.PRIVILEGE_RTC_JOIN_CHANNEL;
                case Service.RTC_PUBLISH_AUDIO_STREAM -> Privilege.PRIVILEGE_RTC_PUBLISH_AUDIO_STREAM;
                case Service.RTC_PUBLISH_VIDEO_STREAM -> Privilege.PRIVILEGE_RTC_PUBLISH_VIDEO_STREAM;
                case Service.RTC_PUBLISH_DATA_STREAM -> Privilege.PRIVILEGE_RTC_PUBLISH_DATA_STREAM;
                default -> Privilege.PRIVILEGE_OTHER;
            };
            case Service.TYPE_RTM, Service.TYPE_RTM2 -> key == Service.RTM_LOGIN
                    ? Privilege.PRIVILEGE_RTM_LOGIN : Privilege.PRIVILEGE_OTHER;
            case Service.TYPE_CHAT -> switch (key) {
                case Service.CHAT_USER -> Privilege.PRIVILEGE_CHAT_USER;
                case Service.CHAT_APP -> Privilege.PRIVILEGE_CHAT_APP;
                default -> Privilege.PRIVILEGE_OTHER;
            };
            case Service.TYPE_APAAS -> switch (key) {
                case Service.APAAS_ROOM_USER -> Privilege.PRIVILEGE_APAAS_ROOM_USER;
                case Service.APAAS_USER -> Privilege.PRIVILEGE_APAAS_USER;
                case Service.APAAS_APP -> Privilege.PRIVILEGE_APAAS_APP;
                default -> Privilege.PRIVILEGE_OTHER;
            };
            default -> Privilege.PRIVILEGE_OTHER;
        };
    }

    /** An RTM2 permission of core's content; a type or access this contract does not name is UNSPECIFIED. */
    public static Rtm2Permission rtm2Permission(Service.Rtm2Permission permission) {
        return Rtm2Permission.newBuilder()
                .setResourceType(resourceType(permission.resourceType()))
                .setAccess(switch (permission.permissionType()) {
                    case Service.RTM2_READ -> Rtm2Access.RTM2_ACCESS_READ;
                    case Service.RTM2_WRITE -> Rtm2Access.RTM2_ACCESS_WRITE;
                    default -> Rtm2Access.RTM2_ACCESS_UNSPECIFIED;
                })
                .addAllResources(permission.resources())
                .build();
    }

    private static Rtm2ResourceType resourceType(int agoraValue) {
        return switch (agoraValue) {
            case Service.RTM2_MESSAGE_CHANNELS -> Rtm2ResourceType.RTM2_RESOURCE_TYPE_MESSAGE_CHANNELS;
            case Service.RTM2_STREAM_CHANNELS -> Rtm2ResourceType.RTM2_RESOURCE_TYPE_STREAM_CHANNELS;
            case Service.RTM2_GROUP_CHANNELS -> Rtm2ResourceType.RTM2_RESOURCE_TYPE_GROUP_CHANNELS;
            case Service.RTM2_SERVER_GROUPS -> Rtm2ResourceType.RTM2_RESOURCE_TYPE_SERVER_GROUPS;
            case Service.RTM2_USERS -> Rtm2ResourceType.RTM2_RESOURCE_TYPE_USERS;
            default -> Rtm2ResourceType.RTM2_RESOURCE_TYPE_UNSPECIFIED;
        };
    }
}
