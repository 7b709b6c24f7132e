package io.tokenservice.server.access;

import io.tokenservice.core.issue.RtcRole;
import java.util.Objects;
import java.util.Optional;

/**
 * One service a token would grant, as policy sees it. {@code identity} is the RTC uid string (decimal
 * uid or account), the RTM user id or the Chat user id; empty means the wildcard (RTC) or a Chat app
 * token. {@code channel} and {@code role} are present for RTC only.
 */
public record RequestedService(ServiceKind kind, Optional<String> channel, String identity, Optional<RtcRole> role) {
    public RequestedService {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(role, "role");
    }

    public static RequestedService rtc(String channel, String uidString, RtcRole role) {
        return new RequestedService(ServiceKind.RTC, Optional.of(channel), uidString, Optional.of(role));
    }

    public static RequestedService rtm(String userId) {
        return new RequestedService(ServiceKind.RTM, Optional.empty(), userId, Optional.empty());
    }

    /** A Chat user token for {@code userId}, or with an empty id an app token. */
    public static RequestedService chat(String userId) {
        return new RequestedService(ServiceKind.CHAT, Optional.empty(), userId, Optional.empty());
    }

    /** Uid 0 / empty account in RTC: anyone may join with the token. */
    public boolean isWildcard() {
        return kind == ServiceKind.RTC && identity.isEmpty();
    }

    public boolean isChatAppToken() {
        return kind == ServiceKind.CHAT && identity.isEmpty();
    }
}
