package io.tokenservice.server.issue;

import io.tokenservice.core.issue.ChatTokenRequest;
import io.tokenservice.core.issue.RtcIdentity;
import io.tokenservice.core.issue.RtcPrivilegeTtls;
import io.tokenservice.core.issue.RtcRole;
import io.tokenservice.core.issue.RtcTokenRequest;
import io.tokenservice.core.issue.RtmTokenRequest;
import io.tokenservice.core.validation.InputRules;
import io.tokenservice.core.validation.InvalidTokenInputException;
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

    /** A valid IssueRtmToken request; {@code legacy} = mint 006. */
    public record Rtm(String appId, RtmTokenRequest request, GrantRequest grant, boolean legacy) {}

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
        List<RequestedService> services = new ArrayList<>(2);
        services.add(RequestedService.rtc(r.getChannel(), identity.encoded(), role));
        rtm.ifPresent(login -> services.add(RequestedService.rtm(login.userId())));
        return new Rtc(appId, request, new GrantRequest(Rpc.ISSUE_RTC_TOKEN, appId, services, ttl), legacy);
    }

    public static Rtm rtm(IssueRtmTokenRequest r, AppRegistry apps) {
        Violations violations = new Violations();
        String appId = RequestRules.appId(r.getAppId(), apps, violations);
        violations.check("user_id", () -> InputRules.requireRtmUserId("user_id", r.getUserId()));
        long ttl = RequestRules.ttl(r.getTtlSeconds(), ServerConfig.DEFAULT_TTL_SECONDS, violations);
        boolean legacy = legacy(r.getTokenVersionValue(), violations);
        violations.throwIfAny();
        return new Rtm(appId, new RtmTokenRequest(r.getUserId(), ttl),
                new GrantRequest(Rpc.ISSUE_RTM_TOKEN, appId, List.of(RequestedService.rtm(r.getUserId())), ttl),
                legacy);
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
