package io.tokenservice.server.issue;

import io.tokenservice.core.issue.ApaasTokenRequest;
import io.tokenservice.core.issue.ChatTokenRequest;
import io.tokenservice.core.issue.RtcIdentity;
import io.tokenservice.core.issue.RtcPrivilegeTtls;
import io.tokenservice.core.issue.RtcRole;
import io.tokenservice.core.issue.RtcTokenRequest;
import io.tokenservice.core.issue.Rtm2TokenRequest;
import io.tokenservice.core.issue.RtmTokenRequest;
import io.tokenservice.core.validation.InputRules;
import io.tokenservice.core.validation.InvalidTokenInputException;
import io.tokenservice.proto.v1.ApaasRoomUser;
import io.tokenservice.proto.v1.IssueApaasTokenRequest;
import io.tokenservice.proto.v1.IssueChatTokenRequest;
import io.tokenservice.proto.v1.IssueRtcTokenRequest;
import io.tokenservice.proto.v1.IssueRtmTokenRequest;
import io.tokenservice.proto.v1.TokenVersion;
import io.tokenservice.server.access.GrantRequest;
import io.tokenservice.server.access.RequestedService;
import io.tokenservice.server.access.Rpc;
import io.tokenservice.server.config.AppRegistry;
import io.tokenservice.server.config.ServerConfig;
import io.tokenservice.server.rpc.RequestRules;
import io.tokenservice.server.rpc.Violations;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns Issue* requests into core requests and the {@link GrantRequest} policy judges, applying every
 * rule of the proto comments. All violations of a request are reported together as INVALID_ARGUMENT
 * with the proto field paths.
 */
public final class IssueRequests {
    /** A valid IssueRtcToken request; {@code legacy} = mint 006. */
    public record Rtc(String appId, RtcTokenRequest request, GrantRequest grant, boolean legacy) {}

    /**
     * A valid IssueRtmToken request; {@code legacy} = mint 006; {@code rtm2} present = mint the RTM2 service with
     * its permissions instead of a plain login.
     */
    public record Rtm(String appId, RtmTokenRequest request, Optional<Rtm2TokenRequest> rtm2, GrantRequest grant,
            boolean legacy) {}

    /** A valid IssueApaasToken request. */
    public record Apaas(String appId, ApaasTokenRequest request, GrantRequest grant) {}

    /** A valid IssueChatToken request. */
    public record Chat(String appId, ChatTokenRequest request, GrantRequest grant) {}

    private IssueRequests() {}

    public static Rtc rtc(IssueRtcTokenRequest r, AppRegistry apps) {
        Violations violations = new Violations();
        String appId = RequestRules.appId(r.getAppId(), apps, violations);
        violations.check("channel", () -> InputRules.requireChannel("channel", r.getChannel()));
        RtcIdentity identity = null;
        switch (r.getIdentityCase()) {
            case UID -> identity = RtcIdentity.uid(Integer.toUnsignedLong(r.getUid()));
            case ACCOUNT -> {
                if (violations.check("account", () -> InputRules.requireAccount("account", r.getAccount()))) {
                    identity = RtcIdentity.account(r.getAccount());
                }
            }
            default -> violations.add("identity",
                    "is required: set uid or account (uid 0 or an empty account lets anyone join)");
        }
        RtcRole role = switch (r.getRole()) {
            case RTC_ROLE_PUBLISHER -> RtcRole.PUBLISHER;
            case RTC_ROLE_SUBSCRIBER -> RtcRole.SUBSCRIBER;
            default -> {
                RequestRules.enumViolation("role", r.getRoleValue(),
                        "RTC_ROLE_PUBLISHER (1) or RTC_ROLE_SUBSCRIBER (2)", violations);
                yield null;
            }
        };
        long ttl = RequestRules.ttl(r.getTtlSeconds(), ServerConfig.DEFAULT_TTL_SECONDS, violations);
        Optional<RtcPrivilegeTtls> privilegeTtls = Optional.empty();
        if (r.hasPrivilegeTtls()) {
            io.tokenservice.proto.v1.RtcPrivilegeTtls p = r.getPrivilegeTtls();
            long join = privilegeTtl("privilege_ttls.join_channel_seconds", p.getJoinChannelSeconds(), ttl, violations);
            // Publish lifetimes are ignored for roles that do not publish.
            boolean publishes = role != RtcRole.SUBSCRIBER;
            long audio = publishes ? privilegeTtl("privilege_ttls.publish_audio_seconds", p.getPublishAudioSeconds(), ttl, violations) : ttl;
            long video = publishes ? privilegeTtl("privilege_ttls.publish_video_seconds", p.getPublishVideoSeconds(), ttl, violations) : ttl;
            long data = publishes ? privilegeTtl("privilege_ttls.publish_data_seconds", p.getPublishDataSeconds(), ttl, violations) : ttl;
            privilegeTtls = Optional.of(new RtcPrivilegeTtls(join, audio, video, data));
        }
        Optional<RtmTokenRequest> rtm = Optional.empty();
        if (r.getIncludeRtm() && identity != null) {
            String userId = r.getRtmUserId();
            if (!userId.isEmpty()) {
                violations.check("rtm_user_id", () -> InputRules.requireRtmUserId("rtm_user_id", r.getRtmUserId()));
            } else if (identity.isWildcard()) {
                violations.add("rtm_user_id", "is required when include_rtm is set and the RTC identity is the "
                        + "wildcard (uid 0 or an empty account): RTM has no wildcard");
            } else {
                userId = identity.encoded();
                try {
                    InputRules.requireRtmUserId("rtm_user_id", userId);
                } catch (InvalidTokenInputException e) {
                    violations.add("rtm_user_id", "is empty, so the RTC account would be used, but it is not a "
                            + "valid RTM user id (" + e.rule() + "): set rtm_user_id");
                }
            }
            rtm = Optional.of(new RtmTokenRequest(userId, ttl));
        }
        boolean legacy = legacy(r.getTokenVersionValue(), violations);
        if (legacy && r.hasPrivilegeTtls()) {
            violations.add("privilege_ttls", "cannot be set with TOKEN_VERSION_006: a 006 token gives every "
                    + "privilege the token lifetime here; use 007 for separate lifetimes");
        }
        if (legacy && r.getIncludeRtm()) {
            violations.add("include_rtm", "cannot be set with TOKEN_VERSION_006: a 006 RTC token grants no RTM "
                    + "login; issue a separate 006 token with IssueRtmToken");
        }
        violations.throwIfAny();

        RtcTokenRequest request = new RtcTokenRequest(r.getChannel(), identity, role, ttl, privilegeTtls, rtm);
        // Immutable lists from the start: GrantRequest keeps them without a copy.
        RequestedService rtc = RequestedService.rtc(r.getChannel(), identity.encoded(), role);
        List<RequestedService> services = rtm.isPresent() ? List.of(rtc, RequestedService.rtm(rtm.get().userId()))
                : List.of(rtc);
        return new Rtc(appId, request, new GrantRequest(Rpc.ISSUE_RTC_TOKEN, appId, services, ttl), legacy);
    }

    public static Rtm rtm(IssueRtmTokenRequest r, AppRegistry apps) {
        Violations violations = new Violations();
        String appId = RequestRules.appId(r.getAppId(), apps, violations);
        violations.check("user_id", () -> InputRules.requireRtmUserId("user_id", r.getUserId()));
        long ttl = RequestRules.ttl(r.getTtlSeconds(), ServerConfig.DEFAULT_TTL_SECONDS, violations);
        boolean legacy = legacy(r.getTokenVersionValue(), violations);
        List<Rtm2TokenRequest.Permission> permissions = rtm2Permissions(r.getPermissionsList(), violations);
        if (legacy && r.getPermissionsCount() > 0) {
            violations.add("permissions", "cannot be set with TOKEN_VERSION_006: a 006 token grants no RTM 2.x "
                    + "resource permissions; use 007");
        }
        violations.throwIfAny();
        Optional<Rtm2TokenRequest> rtm2 = permissions.isEmpty() ? Optional.empty()
                : Optional.of(new Rtm2TokenRequest(r.getUserId(), ttl, permissions));
        return new Rtm(appId, new RtmTokenRequest(r.getUserId(), ttl), rtm2,
                new GrantRequest(Rpc.ISSUE_RTM_TOKEN, appId, List.of(RequestedService.rtm(r.getUserId(), permissions)),
                        ttl), legacy);
    }

    /**
     * The RTM 2.x permissions of a request, checked: known resource types and accesses, at most
     * {@link RequestRules#MAX_RTM2_RESOURCES} resources in all, then core's rules for the names and repeats.
     */
    private static List<Rtm2TokenRequest.Permission> rtm2Permissions(
            List<io.tokenservice.proto.v1.Rtm2Permission> requested, Violations violations) {
        if (requested.isEmpty()) {
            return List.of();
        }
        List<Rtm2TokenRequest.Permission> permissions = new ArrayList<>(requested.size());
        int resources = 0;
        for (int i = 0; i < requested.size(); i++) {
            io.tokenservice.proto.v1.Rtm2Permission p = requested.get(i);
            String field = "permissions[" + i + "]";
            Rtm2TokenRequest.ResourceType type = switch (p.getResourceType()) {
                case RTM2_RESOURCE_TYPE_MESSAGE_CHANNELS -> Rtm2TokenRequest.ResourceType.MESSAGE_CHANNELS;
                case RTM2_RESOURCE_TYPE_STREAM_CHANNELS -> Rtm2TokenRequest.ResourceType.STREAM_CHANNELS;
                case RTM2_RESOURCE_TYPE_GROUP_CHANNELS -> Rtm2TokenRequest.ResourceType.GROUP_CHANNELS;
                case RTM2_RESOURCE_TYPE_SERVER_GROUPS -> Rtm2TokenRequest.ResourceType.SERVER_GROUPS;
                case RTM2_RESOURCE_TYPE_USERS -> Rtm2TokenRequest.ResourceType.USERS;
                default -> {
                    RequestRules.enumViolation(field + ".resource_type", p.getResourceTypeValue(),
                            "RTM2_RESOURCE_TYPE_MESSAGE_CHANNELS (1), _STREAM_CHANNELS (2), _GROUP_CHANNELS (3), "
                                    + "_SERVER_GROUPS (4) or _USERS (5)", violations);
                    yield null;
                }
            };
            Rtm2TokenRequest.Access access = switch (p.getAccess()) {
                case RTM2_ACCESS_READ -> Rtm2TokenRequest.Access.READ;
                case RTM2_ACCESS_WRITE -> Rtm2TokenRequest.Access.WRITE;
                default -> {
                    RequestRules.enumViolation(field + ".access", p.getAccessValue(),
                            "RTM2_ACCESS_READ (1) or RTM2_ACCESS_WRITE (2)", violations);
                    yield null;
                }
            };
            resources += p.getResourcesCount();
            if (type != null && access != null) {
                permissions.add(Rtm2TokenRequest.permission(type, access, p.getResourcesList()));
            }
        }
        if (resources > RequestRules.MAX_RTM2_RESOURCES) {
            violations.add("permissions", "name " + resources + " resources in all; at most "
                    + RequestRules.MAX_RTM2_RESOURCES + " keep the token within the size decoders accept");
            return List.of();
        }
        if (violations.isEmpty()) {
            // Core names the field as this API does: permissions[i] and permissions[i].resources[r].
            violations.checkNamed(() -> Rtm2TokenRequest.requireValidPermissions(permissions));
        }
        return permissions;
    }

    public static Apaas apaas(IssueApaasTokenRequest r, AppRegistry apps) {
        Violations violations = new Violations();
        String appId = RequestRules.appId(r.getAppId(), apps, violations);
        long ttl = RequestRules.ttl(r.getTtlSeconds(), ServerConfig.DEFAULT_TTL_SECONDS, violations);
        ApaasTokenRequest request = null;
        RequestedService service = null;
        switch (r.getSubjectCase()) {
            case ROOM_USER -> {
                ApaasRoomUser roomUser = r.getRoomUser();
                violations.check("room_user.room_uuid",
                        () -> InputRules.requireChannel("room_user.room_uuid", roomUser.getRoomUuid()));
                violations.check("room_user.user_uuid",
                        () -> InputRules.requireRtmUserId("room_user.user_uuid", roomUser.getUserUuid()));
                if (roomUser.getRole() < 0 || roomUser.getRole() > Short.MAX_VALUE) {
                    violations.add("room_user.role", "must be between 0 and " + Short.MAX_VALUE + ", got "
                            + roomUser.getRole());
                }
                request = ApaasTokenRequest.roomUser(roomUser.getRoomUuid(), roomUser.getUserUuid(),
                        (short) roomUser.getRole(), ttl);
                service = RequestedService.apaasRoomUser(roomUser.getRoomUuid(), roomUser.getUserUuid(),
                        roomUser.getRole());
            }
            case USER -> {
                String userUuid = r.getUser().getUserUuid();
                violations.check("user.user_uuid", () -> InputRules.requireRtmUserId("user.user_uuid", userUuid));
                request = ApaasTokenRequest.user(userUuid, ttl);
                service = RequestedService.apaas(userUuid);
            }
            case APP -> {
                request = ApaasTokenRequest.app(ttl);
                service = RequestedService.apaas("");
            }
            default -> violations.add("subject", "is required: set room_user for a classroom user's token, user for "
                    + "a user's token or app for your back end's app token");
        }
        violations.throwIfAny();
        return new Apaas(appId, request, new GrantRequest(Rpc.ISSUE_APAAS_TOKEN, appId, List.of(service), ttl));
    }

    public static Chat chat(IssueChatTokenRequest r, AppRegistry apps) {
        Violations violations = new Violations();
        String appId = RequestRules.appId(r.getAppId(), apps, violations);
        Optional<String> userId = Optional.empty();
        switch (r.getSubjectCase()) {
            case USER_ID -> {
                violations.check("user_id", () -> InputRules.requireChatUserId("user_id", r.getUserId()));
                userId = Optional.of(r.getUserId());
            }
            case APP -> { }
            default -> violations.add("subject",
                    "is required: set user_id for a Chat user token or app for a Chat app token");
        }
        long ttl = RequestRules.ttl(r.getTtlSeconds(), ServerConfig.DEFAULT_TTL_SECONDS, violations);
        violations.throwIfAny();
        ChatTokenRequest request = new ChatTokenRequest(userId, ttl);
        return new Chat(appId, request, new GrantRequest(Rpc.ISSUE_CHAT_TOKEN, appId,
                List.of(RequestedService.chat(userId.orElse(""))), ttl));
    }

    /** Whether {@code token_version} asks for 006; 0 and 007 mean 007, anything else is a violation. */
    private static boolean legacy(int tokenVersion, Violations violations) {
        if (tokenVersion == TokenVersion.TOKEN_VERSION_006_VALUE) {
            return true;
        }
        if (tokenVersion != TokenVersion.TOKEN_VERSION_UNSPECIFIED_VALUE
                && tokenVersion != TokenVersion.TOKEN_VERSION_007_VALUE) {
            violations.add("token_version", "has the unknown value " + tokenVersion
                    + ": use TOKEN_VERSION_007 (2, the default) or TOKEN_VERSION_006 (1)");
        }
        return false;
    }

    /** A privilege lifetime: 0 = the token's; above the token's is a violation of {@code field}. */
    private static long privilegeTtl(String field, int seconds, long tokenTtl, Violations violations) {
        long value = Integer.toUnsignedLong(seconds);
        if (value == 0) {
            return tokenTtl;
        }
        if (value > tokenTtl) {
            violations.add(field, "must not exceed the token lifetime of " + tokenTtl + " seconds, got " + value);
        }
        return value;
    }
}
