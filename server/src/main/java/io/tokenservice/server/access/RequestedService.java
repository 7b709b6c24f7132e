package io.tokenservice.server.access;

import io.tokenservice.core.issue.RtcRole;
import io.tokenservice.core.issue.Rtm2TokenRequest;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One service a token would grant, as policy sees it. {@code identity} is the RTC uid string (decimal
 * uid or account), the RTM user id, the Chat user id or the APaaS user uuid; empty means the wildcard (RTC)
 * or an app token (Chat, APaaS). {@code channel} is the RTC channel or the APaaS room of a room-user token;
 * {@code role} is present for RTC only, {@code apaasRole} for APaaS room users only; {@code rtm2Permissions}
 * are an RTM login's RTM 2.x resource permissions (empty: a plain RTM login).
 */
public record RequestedService(ServiceKind kind, Optional<String> channel, String identity, Optional<RtcRole> role,
        OptionalInt apaasRole, List<Rtm2TokenRequest.Permission> rtm2Permissions) {
    public RequestedService {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(apaasRole, "apaasRole");
        rtm2Permissions = List.copyOf(rtm2Permissions);
    }

    public static RequestedService rtc(String channel, String uidString, RtcRole role) {
        return new RequestedService(ServiceKind.RTC, Optional.of(channel), uidString, Optional.of(role),
                OptionalInt.empty(), List.of());
    }

    public static RequestedService rtm(String userId) {
        return rtm(userId, List.of());
    }

    /** RTM login for {@code userId} with RTM 2.x resource {@code permissions} (none: a plain login). */
    public static RequestedService rtm(String userId, List<Rtm2TokenRequest.Permission> permissions) {
        return new RequestedService(ServiceKind.RTM, Optional.empty(), userId, Optional.empty(), OptionalInt.empty(),
                permissions);
    }

    /** A Chat user token for {@code userId}, or with an empty id an app token. */
    public static RequestedService chat(String userId) {
        return new RequestedService(ServiceKind.CHAT, Optional.empty(), userId, Optional.empty(), OptionalInt.empty(),
                List.of());
    }

    /** An APaaS token for {@code userUuid} in {@code roomUuid} with {@code role}. */
    public static RequestedService apaasRoomUser(String roomUuid, String userUuid, int role) {
        return new RequestedService(ServiceKind.APAAS, Optional.of(roomUuid), userUuid, Optional.empty(),
                OptionalInt.of(role), List.of());
    }

    /** An APaaS user token for {@code userUuid}, or with an empty id an app token. */
    public static RequestedService apaas(String userUuid) {
        return new RequestedService(ServiceKind.APAAS, Optional.empty(), userUuid, Optional.empty(),
                OptionalInt.empty(), List.of());
    }

    /** Uid 0 / empty account in RTC: anyone may join with the token. */
    public boolean isWildcard() {
        return kind == ServiceKind.RTC && identity.isEmpty();
    }

    public boolean isChatAppToken() {
        return kind == ServiceKind.CHAT && identity.isEmpty();
    }

    public boolean isApaasAppToken() {
        return kind == ServiceKind.APAAS && identity.isEmpty();
    }
}
