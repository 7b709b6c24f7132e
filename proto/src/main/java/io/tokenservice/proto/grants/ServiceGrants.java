package io.tokenservice.proto.grants;

import com.google.protobuf.Timestamp;
import io.tokenservice.core.token.Service;
import io.tokenservice.proto.v1.Privilege;
import io.tokenservice.proto.v1.PrivilegeGrant;
import io.tokenservice.proto.v1.ServiceGrant;
import io.tokenservice.proto.v1.ServiceType;

/**
 * What a 007 service block of core grants, in the API's terms. The server answers with it (IssuedToken,
 * InspectToken) and the Java client reads tokens obtained elsewhere with it, so both describe a token alike.
 */
public final class ServiceGrants {
    private ServiceGrants() {}

    /** One 007 service as encoded; privilege end times are issue time + the relative value (0 = unset). */
    public static ServiceGrant serviceGrant(Service service, long issueTs) {
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
        } else if (service instanceof Service.Chat chat) {
            grant.setUserId(chat.userId());
        }
        // Privileges mostly end together (all at the token's expiry): one Timestamp serves a run of them.
        Timestamp end = null;
        for (io.tokenservice.core.token.Privilege p : service.privileges()) {
            PrivilegeGrant.Builder privilege = PrivilegeGrant.newBuilder()
                    .setPrivilege(privilege007(service.type(), p.key()))
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

    /** What a 007 privilege key means within its service. */
    public static Privilege privilege007(int serviceType, int key) {
        switch (serviceType) {
            case Service.TYPE_RTC:
                return switch (key) {
                    case Service.RTC_JOIN_CHANNEL -> Privilege.PRIVILEGE_RTC_JOIN_CHANNEL;
                    case Service.RTC_PUBLISH_AUDIO_STREAM -> Privilege.PRIVILEGE_RTC_PUBLISH_AUDIO_STREAM;
                    case Service.RTC_PUBLISH_VIDEO_STREAM -> Privilege.PRIVILEGE_RTC_PUBLISH_VIDEO_STREAM;
                    case Service.RTC_PUBLISH_DATA_STREAM -> Privilege.PRIVILEGE_RTC_PUBLISH_DATA_STREAM;
                    default -> Privilege.PRIVILEGE_OTHER;
                };
            case Service.TYPE_RTM:
                return key == Service.RTM_LOGIN ? Privilege.PRIVILEGE_RTM_LOGIN : Privilege.PRIVILEGE_OTHER;
            case Service.TYPE_CHAT:
                return switch (key) {
                    case Service.CHAT_USER -> Privilege.PRIVILEGE_CHAT_USER;
                    case Service.CHAT_APP -> Privilege.PRIVILEGE_CHAT_APP;
                    default -> Privilege.PRIVILEGE_OTHER;
                };
            default:
                return Privilege.PRIVILEGE_OTHER;
        }
    }
}
