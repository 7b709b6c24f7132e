package io.tokenservice.client;

import com.google.protobuf.Timestamp;
import io.tokenservice.core.token.AccessToken2;
import io.tokenservice.core.token.AccessToken2Codec;
import io.tokenservice.core.token.MalformedTokenException;
import io.tokenservice.core.token.Service;
import io.tokenservice.proto.v1.Privilege;
import io.tokenservice.proto.v1.PrivilegeGrant;
import io.tokenservice.proto.v1.ServiceGrant;
import io.tokenservice.proto.v1.ServiceType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Reads a {@link Token} from a 007 token string, as {@link Token#fromString} documents. */
final class TokenStrings {
    private TokenStrings() {}

    static Token read(String value) {
        AccessToken2 token;
        try {
            token = AccessToken2Codec.decode(value.strip()).content();
        } catch (MalformedTokenException e) {
            // The message says what is wrong with the format; the token itself is a credential.
            throw new IllegalArgumentException("not a 007 token: " + e.getMessage());
        }
        List<ServiceGrant> services = new ArrayList<>(token.services().size());
        for (Service service : token.services()) {
            services.add(grant(service, token.issueTs()));
        }
        return new Token(value.strip(), token.appId(), token.issuedAt(), token.expiresAt(), services,
                sha256Prefix(value.strip()), token.issuedAt(), false);
    }

    private static ServiceGrant grant(Service service, long issueTs) {
        ServiceType type = ServiceType.forNumber(service.type());
        ServiceGrant.Builder grant = ServiceGrant.newBuilder()
                .setService(type == null ? ServiceType.SERVICE_TYPE_UNSPECIFIED : type);
        if (service instanceof Service.Rtc rtc) {
            grant.setChannel(rtc.channel()).setUid(rtc.uid());
        } else if (service instanceof Service.Rtm rtm) {
            grant.setUserId(rtm.userId());
        } else if (service instanceof Service.Rtm2 rtm2) {
            grant.setUserId(rtm2.userId());
        } else if (service instanceof Service.Chat chat) {
            grant.setUserId(chat.userId());
        }
        for (io.tokenservice.core.token.Privilege p : service.privileges()) {
            PrivilegeGrant.Builder privilege = PrivilegeGrant.newBuilder()
                    .setPrivilege(privilege(service.type(), p.key())).setAgoraKey(p.key());
            if (p.value() != 0) {
                privilege.setExpiresAt(Timestamp.newBuilder().setSeconds(issueTs + p.value()));
            }
            grant.addPrivileges(privilege);
        }
        return grant.build();
    }

    private static Privilege privilege(int serviceType, int key) {
        return switch (serviceType) {
            case Service.TYPE_RTC -> switch (key) {
                case Service.RTC_JOIN_CHANNEL -> Privilege.PRIVILEGE_RTC_JOIN_CHANNEL;
                case Service.RTC_PUBLISH_AUDIO_STREAM -> Privilege.PRIVILEGE_RTC_PUBLISH_AUDIO_STREAM;
                case Service.RTC_PUBLISH_VIDEO_STREAM -> Privilege.PRIVILEGE_RTC_PUBLISH_VIDEO_STREAM;
                case Service.RTC_PUBLISH_DATA_STREAM -> Privilege.PRIVILEGE_RTC_PUBLISH_DATA_STREAM;
                default -> Privilege.PRIVILEGE_OTHER;
            };
            case Service.TYPE_RTM -> key == Service.RTM_LOGIN ? Privilege.PRIVILEGE_RTM_LOGIN : Privilege.PRIVILEGE_OTHER;
            case Service.TYPE_CHAT -> key == Service.CHAT_USER ? Privilege.PRIVILEGE_CHAT_USER
                    : key == Service.CHAT_APP ? Privilege.PRIVILEGE_CHAT_APP : Privilege.PRIVILEGE_OTHER;
            default -> Privilege.PRIVILEGE_OTHER;
        };
    }

    private static String sha256Prefix(String value) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
