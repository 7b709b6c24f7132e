package io.tokenservice.server.config;

import io.tokenservice.server.auth.ApiKeyRegistry;
import io.tokenservice.server.auth.ClientCertificateMapping;
import io.tokenservice.server.policy.CallerPolicy;
import io.tokenservice.server.ratelimit.RateLimit;
import java.util.Map;
import java.util.Objects;

/**
 * Who gets in and what they get ({@code security:} section, {@code TOKEN_SERVICE_API_KEYS},
 * {@code TOKEN_SERVICE_DENY_LIST}): API keys (hashes only), client certificate subjects, each caller's policy
 * and rate limit, and the deny-list. Every credential names a caller that has a policy. {@link #toString()}
 * names callers and counts keys, never shows one.
 */
public record SecuritySettings(ApiKeyRegistry apiKeys, ClientCertificateMapping clientCertificates,
        Map<String, CallerPolicy> policies, Map<String, RateLimit> rateLimits, RateLimit defaultRateLimit,
        DenyListSettings denyList) {

    public SecuritySettings {
        Objects.requireNonNull(apiKeys, "apiKeys");
        Objects.requireNonNull(clientCertificates, "clientCertificates");
        policies = Map.copyOf(policies);
        rateLimits = Map.copyOf(rateLimits);
        Objects.requireNonNull(defaultRateLimit, "defaultRateLimit");
        Objects.requireNonNull(denyList, "denyList");
        for (String caller : apiKeys.callerNames()) {
            requirePolicy(policies, caller, "an API key");
        }
        for (String caller : clientCertificates.entries().values()) {
            requirePolicy(policies, caller, "a client certificate subject");
        }
    }

    private static void requirePolicy(Map<String, CallerPolicy> policies, String caller, String what) {
        if (!policies.containsKey(caller)) {
            throw new ConfigException("caller '" + caller + "' has " + what + " but no policy");
        }
    }

    /** The rate limit of {@code caller}. */
    public RateLimit rateLimitOf(String caller) {
        RateLimit limit = rateLimits.get(caller);
        return limit != null ? limit : defaultRateLimit;
    }

    /** Whether anyone can authenticate at all (certificate subjects count only with a client CA). */
    public boolean hasCredentials(boolean clientCa) {
        return apiKeys.size() > 0 || (clientCa && !clientCertificates.isEmpty());
    }

    @Override
    public String toString() {
        return "callers " + new java.util.TreeSet<>(policies.keySet()) + ", " + apiKeys.size() + " API key(s), "
                + clientCertificates.entries().size() + " certificate subject(s), deny-list " + denyList;
    }
}
