package io.tokenservice.core.issue;

import io.tokenservice.core.token.Service;
import java.util.List;
import java.util.Objects;

/**
 * RTM login for {@code userId} with resource permissions (Agora's RTM2 service, built by its
 * {@code RtmTokenBuilder2.buildTokenWithPermissions}): which message channels, stream channels,
 * group channels, server groups and users the user may read or write. Agora notes that the RTM
 * project must be set up for these permissions. No permission at all is a login-only RTM2 token.
 */
public record Rtm2TokenRequest(String userId, long ttlSeconds, List<Permission> permissions) {
    public Rtm2TokenRequest {
        Objects.requireNonNull(userId, "userId");
        permissions = List.copyOf(permissions);
    }

    public static Permission permission(ResourceType resourceType, Access access, List<String> resources) {
        return new Permission(resourceType, access, resources);
    }

    /** {@code access} to each of {@code resources} (names in the order given), all of one type. */
    public record Permission(ResourceType resourceType, Access access, List<String> resources) {
        public Permission {
            Objects.requireNonNull(resourceType, "resourceType");
            Objects.requireNonNull(access, "access");
            resources = List.copyOf(resources);
        }
    }

    /** What the resource names name, numbered as Agora numbers them. */
    public enum ResourceType {
        MESSAGE_CHANNELS(Service.RTM2_MESSAGE_CHANNELS),
        STREAM_CHANNELS(Service.RTM2_STREAM_CHANNELS),
        GROUP_CHANNELS(Service.RTM2_GROUP_CHANNELS),
        SERVER_GROUPS(Service.RTM2_SERVER_GROUPS),
        USERS(Service.RTM2_USERS);

        private final int agoraValue;

        ResourceType(int agoraValue) {
            this.agoraValue = agoraValue;
        }

        public int agoraValue() {
            return agoraValue;
        }
    }

    public enum Access {
        READ(Service.RTM2_READ),
        WRITE(Service.RTM2_WRITE);

        private final int agoraValue;

        Access(int agoraValue) {
            this.agoraValue = agoraValue;
        }

        public int agoraValue() {
            return agoraValue;
        }
    }
}
