package io.tokenservice.server.rpc;

import com.google.protobuf.Timestamp;
import io.tokenservice.core.token.AccessToken2;
import io.tokenservice.core.token.Service;
import io.tokenservice.proto.v1.IssuedToken;
import io.tokenservice.proto.v1.Privilege;
import io.tokenservice.proto.v1.PrivilegeGrant;
import io.tokenservice.proto.v1.ServiceGrant;
import io.tokenservice.proto.v1.ServiceType;
import java.time.Instant;

/** Converts core token content into the API's messages. */
public final class ProtoGrants {
    private ProtoGrants() {}

    /** The IssuedToken response for a token core just signed. */
    public static IssuedToken issuedToken(io.tokenservice.core.issue.IssuedToken issued) {
        AccessToken2 content = issued.content();
        IssuedToken.Builder response = IssuedToken.newBuilder()
                .setToken(issued.token())
                .setIssuedAt(timestamp(content.issueTs()))
                .setExpiresAt(timestamp(content.issueTs() + content.expire()))
                .setAppId(content.appId())
                .setTtlSeconds((int) content.expire())
                .setTokenSha256Prefix(TokenDigest.sha256Prefix(issued.token()));
        for (Service service : content.services()) {
            response.addServices(serviceGrant(service, content.issueTs()));
        }
        return response.build();
    }

    /**
     * The IssuedToken response for a 006 token core just signed at {@code issueTs} whose privileges end
     * {@code ttl} later: for RTC ({@code channel} set) the role's privileges in one RTC grant, for RTM
     * (empty channel) the login privilege in one RTM grant.
     */
    public static IssuedToken legacyIssuedToken(String token, long issueTs, long ttl, String channel, String uid) {
        io.tokenservice.core.token.AccessToken content = io.tokenservice.core.token.AccessTokenCodec.decode(token)
                .content();
        boolean rtm = channel.isEmpty();
        ServiceGrant.Builder grant = ServiceGrant.newBuilder()
                .setService(rtm ? ServiceType.SERVICE_TYPE_RTM : ServiceType.SERVICE_TYPE_RTC);
        if (!rtm) {
            grant.setChannel(channel).setUid(uid);
        }
        for (io.tokenservice.core.token.Privilege p : content.privileges()) {
            grant.addPrivileges(PrivilegeGrant.newBuilder().setPrivilege(privilege006(p.key())).setAgoraKey(p.key())
                    .setExpiresAt(timestamp(p.value())));
        }
        return IssuedToken.newBuilder()
                .setToken(token)
                .setIssuedAt(timestamp(issueTs))
                .setExpiresAt(timestamp(issueTs + ttl))
                .setAppId(content.appId())
                .setTtlSeconds((int) ttl)
                .addServices(grant)
                .setTokenSha256Prefix(TokenDigest.sha256Prefix(token))
                .build();
    }

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
                    end = timestamp(issueTs + p.value());
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

    /** What a 006 privilege key means (006 keys are global, not per service). */
    public static Privilege privilege006(int key) {
        return switch (key) {
            case io.tokenservice.core.token.AccessToken.JOIN_CHANNEL -> Privilege.PRIVILEGE_RTC_JOIN_CHANNEL;
            case io.tokenservice.core.token.AccessToken.PUBLISH_AUDIO_STREAM -> Privilege.PRIVILEGE_RTC_PUBLISH_AUDIO_STREAM;
            case io.tokenservice.core.token.AccessToken.PUBLISH_VIDEO_STREAM -> Privilege.PRIVILEGE_RTC_PUBLISH_VIDEO_STREAM;
            case io.tokenservice.core.token.AccessToken.PUBLISH_DATA_STREAM -> Privilege.PRIVILEGE_RTC_PUBLISH_DATA_STREAM;
            case io.tokenservice.core.token.AccessToken.RTM_LOGIN -> Privilege.PRIVILEGE_RTM_LOGIN;
            default -> Privilege.PRIVILEGE_OTHER;
        };
    }

    public static Timestamp timestamp(long epochSeconds) {
        return Timestamp.newBuilder().setSeconds(epochSeconds).build();
    }

    public static Timestamp timestamp(Instant instant) {
        return timestamp(instant.getEpochSecond());
    }
}
