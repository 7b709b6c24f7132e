package io.tokenservice.core.issue;

import java.util.Objects;
import java.util.Optional;

/**
 * An RTC token: join {@code channel} as {@code identity} with {@code role}'s privileges. The token
 * lives {@code ttlSeconds}; each privilege lives as long unless {@code privilegeTtls} says less. A
 * subscriber gets the join privilege only, whatever publish lifetimes are given. With {@code rtm}, the
 * same token also logs in to RTM.
 */
public record RtcTokenRequest(String channel, RtcIdentity identity, RtcRole role, long ttlSeconds,
        Optional<RtcPrivilegeTtls> privilegeTtls, Optional<RtmTokenRequest> rtm) {
    public RtcTokenRequest {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(privilegeTtls, "privilegeTtls");
        Objects.requireNonNull(rtm, "rtm");
    }

    public static RtcTokenRequest of(String channel, RtcIdentity identity, RtcRole role, long ttlSeconds) {
        return new RtcTokenRequest(channel, identity, role, ttlSeconds, Optional.empty(), Optional.empty());
    }

    public RtcTokenRequest withPrivilegeTtls(RtcPrivilegeTtls ttls) {
        return new RtcTokenRequest(channel, identity, role, ttlSeconds, Optional.of(ttls), rtm);
    }

    public RtcTokenRequest withRtm(RtmTokenRequest rtmLogin) {
        return new RtcTokenRequest(channel, identity, role, ttlSeconds, privilegeTtls, Optional.of(rtmLogin));
    }
}
