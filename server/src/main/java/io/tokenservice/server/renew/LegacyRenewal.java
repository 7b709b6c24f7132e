package io.tokenservice.server.renew;

import io.tokenservice.core.issue.RtcIdentity;
import io.tokenservice.core.issue.RtcRole;
import io.tokenservice.core.issue.TokenIssuer;
import io.tokenservice.core.token.AccessToken;
import io.tokenservice.core.token.AccessTokenCodec;
import io.tokenservice.core.token.MalformedTokenException;
import io.tokenservice.core.token.ParsedAccessToken;
import io.tokenservice.core.token.Privilege;
import io.tokenservice.core.validation.InputRules;
import io.tokenservice.proto.v1.RenewTokenRequest;
import io.tokenservice.server.access.GrantRequest;
import io.tokenservice.server.access.RequestedService;
import io.tokenservice.server.access.Rpc;
import io.tokenservice.server.config.ServerConfig;
import io.tokenservice.server.rpc.RpcErrors;
import io.tokenservice.server.rpc.Violations;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;

/**
 * What renewing a 006 token means: the same app, channel, identity and privileges, with a new expiry. A 006
 * token records only the CRC32 of its channel and uid, and its signature covers them, so the request names
 * them ({@code channel} and {@code uid}/{@code account} for RTC, {@code rtm_user_id} for RTM) and they must
 * pass the input rules of issuing. Only the privilege sets this server issues are renewed: RTC join (a
 * subscriber), RTC join and the three publish privileges (a publisher), RTM login.
 *
 * @param token the parsed token (its signature not yet checked)
 * @param channel the channel slot the signature covers (the RTM user id for RTM)
 * @param uid the uid slot the signature covers (empty for RTM)
 * @param identity the RTC identity, or null for RTM
 * @param role the RTC role, or null for RTM
 */
record LegacyRenewal(ParsedAccessToken token, String channel, String uid, RtcIdentity identity, RtcRole role) {
    private static final Set<Integer> SUBSCRIBER = Set.of(AccessToken.JOIN_CHANNEL);
    private static final Set<Integer> PUBLISHER = Set.of(AccessToken.JOIN_CHANNEL, AccessToken.PUBLISH_AUDIO_STREAM,
            AccessToken.PUBLISH_VIDEO_STREAM, AccessToken.PUBLISH_DATA_STREAM);
    private static final Set<Integer> RTM = Set.of(AccessToken.RTM_LOGIN);

    /** The 006 {@code token}, parsed; INVALID_ARGUMENT (field {@code token}) if it is not one. */
    static ParsedAccessToken decode(String token) {
        try {
            return AccessTokenCodec.decode(token);
        } catch (MalformedTokenException e) {
            // The parser's reasons never quote the token.
            throw RpcErrors.invalidArgument("token", "is not a valid 006 token: " + e.getMessage());
        }
    }

    /** Reads the request for the 006 token {@code parsed}; INVALID_ARGUMENT for what is missing or wrong. */
    static LegacyRenewal read(ParsedAccessToken parsed, RenewTokenRequest request) {
        Violations violations = new Violations();
        Set<Integer> keys = new TreeSet<>();
        for (Privilege p : parsed.content().privileges()) {
            keys.add(p.key());
        }
        LegacyRenewal renewal;
        if (keys.equals(RTM)) {
            String userId = request.getRtmUserId();
            if (userId.isEmpty()) {
                violations.add("rtm_user_id", "is required to renew a 006 RTM token: it records only the CRC32 of "
                        + "its user id");
            } else {
                violations.check("rtm_user_id", () -> InputRules.requireRtmUserId("rtm_user_id", userId));
            }
            renewal = new LegacyRenewal(parsed, userId, "", null, null);
        } else if (keys.equals(SUBSCRIBER) || keys.equals(PUBLISHER)) {
            String channel = request.getChannel();
            if (channel.isEmpty()) {
                violations.add("channel", "is required to renew a 006 RTC token: it records only the CRC32 of its "
                        + "channel");
            } else {
                violations.check("channel", () -> InputRules.requireChannel("channel", channel));
            }
            RtcIdentity identity = null;
            switch (request.getIdentityCase()) {
                case UID -> identity = RtcIdentity.uid(Integer.toUnsignedLong(request.getUid()));
                case ACCOUNT -> {
                    if (violations.check("account", () -> InputRules.requireAccount("account", request.getAccount()))) {
                        identity = RtcIdentity.account(request.getAccount());
                    }
                }
                default -> violations.add("identity", "is required to renew a 006 RTC token: set the uid or account "
                        + "it was issued for (it records only their CRC32)");
            }
            renewal = new LegacyRenewal(parsed, channel, identity == null ? "" : identity.encoded(), identity,
                    keys.equals(PUBLISHER) ? RtcRole.PUBLISHER : RtcRole.SUBSCRIBER);
        } else {
            throw RpcErrors.invalidArgument("token", "cannot be renewed: its 006 privileges " + keys + " are not a set "
                    + "this server issues (RTC join, RTC join and publish, or RTM login); issue a new token instead");
        }
        violations.throwIfAny();
        if (!parsed.matches(renewal.channel, renewal.uid)) {
            String field = renewal.identity == null ? "rtm_user_id" : "channel";
            throw RpcErrors.invalidArgument(field, renewal.identity == null
                    ? "is not the user id the 006 token was issued for (its CRC32 differs)"
                    : "and identity are not the ones the 006 token was issued for (a CRC32 differs)");
        }
        return renewal;
    }

    String appId() {
        return token.content().appId();
    }

    /** When the token's grant ends: its join (or login) privilege, or the token itself if that has none. */
    Instant expiresAt() {
        long end = token.content().privileges().get(0).value();
        long tokenEnd = token.content().expireTs();
        return Instant.ofEpochSecond(end != 0 ? end : tokenEnd);
    }

    /**
     * The lifetime it was issued with: its end minus its issue time, which 006 records only as the token's
     * expiry minus {@value TokenIssuer#LEGACY_TOKEN_LIFETIME_SECONDS} s (as this server and Agora's builders
     * write it); the server's default when that gives no sensible lifetime.
     */
    long originalTtlSeconds() {
        long issued = token.content().expireTs() - TokenIssuer.LEGACY_TOKEN_LIFETIME_SECONDS;
        long ttl = expiresAt().getEpochSecond() - issued;
        return ttl > 0 && ttl <= TokenIssuer.LEGACY_TOKEN_LIFETIME_SECONDS ? ttl : ServerConfig.DEFAULT_TTL_SECONDS;
    }

    /** The new lifetime: {@code requested}, or with 0 the original lowered to the caller's maximum. */
    long ttlSeconds(long requested, OptionalLong callerMax) {
        if (requested != 0) {
            return requested;
        }
        long ttl = originalTtlSeconds();
        return callerMax.isPresent() ? Math.min(ttl, callerMax.getAsLong()) : ttl;
    }

    GrantRequest grant(String configuredAppId, long ttl) {
        RequestedService service = identity == null ? RequestedService.rtm(channel)
                : RequestedService.rtc(channel, uid, role);
        return new GrantRequest(Rpc.RENEW_TOKEN, configuredAppId, List.of(service), ttl);
    }
}
