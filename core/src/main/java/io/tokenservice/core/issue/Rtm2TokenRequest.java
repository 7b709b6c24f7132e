package io.tokenservice.core.issue;

import io.tokenservice.core.token.Service;
import io.tokenservice.core.validation.InputRules;
import io.tokenservice.core.validation.InvalidTokenInputException;
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

    /**
     * The rules {@link TokenIssuer#issueRtm2} applies to {@code permissions}: each resource type and access pair at
     * most once, at least one resource each, every resource a valid RTM2 name
     * ({@link InputRules#requireRtm2Resource}). Fields are named {@code permissions[i]} and
     * {@code permissions[i].resources[r]}, the first violation only.
     *
     * @throws InvalidTokenInputException for the first permission that breaks a rule
     */
    public static void requireValidPermissions(List<Permission> permissions) {
        for (int i = 0; i < permissions.size(); i++) {
            Permission permission = permissions.get(i);
            String field = "permissions[" + i + "]";
            for (int earlier = 0; earlier < i; earlier++) {
                Permission other = permissions.get(earlier);
                if (other.resourceType() == permission.resourceType() && other.access() == permission.access()) {
                    throw new InvalidTokenInputException(field, "repeats " + permission.resourceType() + " "
                            + permission.access() + " of permissions[" + earlier + "]; list its resources in one entry");
                }
            }
            if (permission.resources().isEmpty()) {
                throw new InvalidTokenInputException(field + ".resources", "must name at least one resource");
            }
            for (int r = 0; r < permission.resources().size(); r++) {
                InputRules.requireRtm2Resource(field + ".resources[" + r + "]", permission.resources().get(r));
            }
        }
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
