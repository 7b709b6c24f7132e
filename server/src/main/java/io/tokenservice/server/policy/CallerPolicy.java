package io.tokenservice.server.policy;

import io.tokenservice.core.issue.RtcRole;
import io.tokenservice.core.issue.TokenLimits;
import io.tokenservice.server.access.ServiceKind;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * What one caller may request. Allow-lists left empty allow nothing, flags default to false: a caller
 * gets exactly what its policy names.
 *
 * @param apps App IDs the caller may mint for (globs; {@code *} = any app), matched ignoring letter case
 *     (App IDs are hexadecimal): use {@link #appGlobs} to build them
 * @param services services it may mint tokens for
 * @param channels RTC channel names, APaaS room uuids and the channel and group resources of RTM 2.x
 *     permissions (globs, e.g. {@code team-*})
 * @param identities RTC uids/accounts, RTM and Chat user ids, APaaS user uuids and the user resources of
 *     RTM 2.x permissions (globs); the RTC wildcard identity is governed by {@code allowWildcard} instead, a
 *     Chat app token by {@code allowChatAppToken}, an APaaS app token by {@code allowApaasAppToken}
 * @param roles RTC roles
 * @param maxTtlSeconds longest token lifetime it may request
 * @param allowWildcard whether RTC uid 0 / empty account (anyone may join) is allowed
 * @param allowChatAppToken whether Chat app tokens (admin access to the Chat REST API) are allowed
 * @param mayRenew whether RenewToken is allowed
 * @param mayInspect whether InspectToken is allowed
 * @param allowApaasAppToken whether APaaS app tokens (full access to the app's classrooms) are allowed
 */
public record CallerPolicy(GlobList apps, Set<ServiceKind> services, GlobList channels, GlobList identities,
        Set<RtcRole> roles, long maxTtlSeconds, boolean allowWildcard, boolean allowChatAppToken, boolean mayRenew,
        boolean mayInspect, boolean allowApaasAppToken) {

    /** {@code max_ttl_seconds} when the configuration leaves it out. */
    public static final long DEFAULT_MAX_TTL_SECONDS = 3_600;

    public CallerPolicy {
        Objects.requireNonNull(apps, "apps");
        Objects.requireNonNull(channels, "channels");
        Objects.requireNonNull(identities, "identities");
        services = services.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(services));
        roles = roles.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(roles));
        if (maxTtlSeconds < 1 || maxTtlSeconds > TokenLimits.AGORA_MAX_TTL_SECONDS) {
            throw new IllegalArgumentException("max_ttl_seconds must be between 1 and " + TokenLimits.AGORA_MAX_TTL_SECONDS
                    + ", not " + maxTtlSeconds);
        }
    }

    /** A policy without APaaS app tokens. */
    public CallerPolicy(GlobList apps, Set<ServiceKind> services, GlobList channels, GlobList identities,
            Set<RtcRole> roles, long maxTtlSeconds, boolean allowWildcard, boolean allowChatAppToken, boolean mayRenew,
            boolean mayInspect) {
        this(apps, services, channels, identities, roles, maxTtlSeconds, allowWildcard, allowChatAppToken, mayRenew,
                mayInspect, false);
    }

    /** The {@code apps} globs for these patterns: in lower case, as {@link PolicyGate} matches App IDs. */
    public static GlobList appGlobs(List<String> patterns) {
        List<String> lower = new ArrayList<>(patterns.size());
        for (String pattern : patterns) {
            lower.add(pattern.toLowerCase(Locale.ROOT));
        }
        return GlobList.of(lower);
    }

    /** A policy that allows nothing. */
    public static CallerPolicy denyAll() {
        return new CallerPolicy(GlobList.none(), Set.of(), GlobList.none(), GlobList.none(), Set.of(),
                DEFAULT_MAX_TTL_SECONDS, false, false, false, false);
    }

    /**
     * The policy of callers configured only through {@code TOKEN_SERVICE_API_KEYS} (and of the generated
     * development key): any app, service, channel and specific identity, both roles, up to 24 hours,
     * renew and inspect; but neither the wildcard identity nor Chat or APaaS app tokens, which need the YAML
     * form.
     */
    public static CallerPolicy quickStart() {
        return new CallerPolicy(GlobList.any(), EnumSet.allOf(ServiceKind.class), GlobList.any(), GlobList.any(),
                EnumSet.allOf(RtcRole.class), TokenLimits.AGORA_MAX_TTL_SECONDS, false, false, true, true);
    }

    /**
     * The policy of caller {@code end-user} of the {@code TOKEN_SERVICE_JWT_*} quick start (its identity is
     * bound to the token's {@code sub} on top): any app, service and channel, both roles, up to an hour, renew;
     * no wildcard identity, no Chat or APaaS app token, no inspection.
     */
    public static CallerPolicy endUserQuickStart() {
        return new CallerPolicy(GlobList.any(), EnumSet.allOf(ServiceKind.class), GlobList.any(), GlobList.any(),
                EnumSet.allOf(RtcRole.class), DEFAULT_MAX_TTL_SECONDS, false, false, true, false);
    }

    /**
     * The policy of the API key a development server makes up for its made-up app: everything the API
     * offers, the wildcard identity and Chat and APaaS app tokens included, since tokens of that app are
     * worthless to Agora. Never given to a configured caller.
     */
    public static CallerPolicy development() {
        return new CallerPolicy(GlobList.any(), EnumSet.allOf(ServiceKind.class), GlobList.any(), GlobList.any(),
                EnumSet.allOf(RtcRole.class), TokenLimits.AGORA_MAX_TTL_SECONDS, true, true, true, true, true);
    }

    /** Same policy with other channel patterns. */
    public CallerPolicy withChannels(GlobList newChannels) {
        return new CallerPolicy(apps, services, newChannels, identities, roles, maxTtlSeconds, allowWildcard,
                allowChatAppToken, mayRenew, mayInspect, allowApaasAppToken);
    }

    /** Same policy with another maximum lifetime. */
    public CallerPolicy withMaxTtlSeconds(long newMax) {
        return new CallerPolicy(apps, services, channels, identities, roles, newMax, allowWildcard,
                allowChatAppToken, mayRenew, mayInspect, allowApaasAppToken);
    }
}
