package io.tokenservice.server.config;

import io.tokenservice.server.auth.ApiKeyRegistry;
import io.tokenservice.server.auth.ClientCertificateMapping;
import io.tokenservice.server.auth.JwtIssuer;
import io.tokenservice.server.policy.CallerPolicy;
import io.tokenservice.server.policy.ClaimBinding;
import io.tokenservice.server.ratelimit.RateLimit;
import java.util.Map;
import java.util.Objects;

/**
 * Who gets in and what they get ({@code security:} section, {@code TOKEN_SERVICE_API_KEYS},
 * {@code TOKEN_SERVICE_JWT_*}, {@code TOKEN_SERVICE_DENY_LIST}): API keys (hashes only), client certificate
 * subjects, the JWT issuers of end-user callers and their claim bindings, the explicit {@code anonymous} caller,
 * each caller's policy and rate limit (per end user for JWT callers), and the deny-list. Every credential names
 * a caller that has a policy. {@link #toString()} names callers and counts keys, never shows one.
 *
 * @param jwtCallers the issuer each JWT caller accepts
 * @param bindings the claim bindings of JWT callers
 * @param anonymous whether calls without credentials run as caller {@value #ANONYMOUS_CALLER} (whose policy and
 *     rate limit are then in {@code policies} and {@code rateLimits})
 */
public record SecuritySettings(ApiKeyRegistry apiKeys, ClientCertificateMapping clientCertificates,
        Map<String, CallerPolicy> policies, Map<String, RateLimit> rateLimits, RateLimit defaultRateLimit,
        DenyListSettings denyList, Map<String, JwtIssuer> jwtCallers, Map<String, ClaimBinding> bindings,
        boolean anonymous) {
    /** The caller name of calls without credentials, when {@code security.anonymous} is configured. */
    public static final String ANONYMOUS_CALLER = "anonymous";

    public SecuritySettings {
        Objects.requireNonNull(apiKeys, "apiKeys");
        Objects.requireNonNull(clientCertificates, "clientCertificates");
        policies = Map.copyOf(policies);
        rateLimits = Map.copyOf(rateLimits);
        Objects.requireNonNull(defaultRateLimit, "defaultRateLimit");
        Objects.requireNonNull(denyList, "denyList");
        jwtCallers = Map.copyOf(jwtCallers);
        bindings = Map.copyOf(bindings);
        for (String caller : apiKeys.callerNames()) {
            requirePolicy(policies, caller, "an API key");
        }
        for (String caller : clientCertificates.entries().values()) {
            requirePolicy(policies, caller, "a client certificate subject");
        }
        for (String caller : jwtCallers.keySet()) {
            requirePolicy(policies, caller, "a JWT issuer");
        }
        for (String caller : bindings.keySet()) {
            if (!jwtCallers.containsKey(caller)) {
                throw new ConfigException("caller '" + caller + "' binds token claims but accepts no JWT");
            }
        }
        if (anonymous) {
            requirePolicy(policies, ANONYMOUS_CALLER, "calls without credentials");
        }
    }

    /** Without JWT callers and without an anonymous caller. */
    public SecuritySettings(ApiKeyRegistry apiKeys, ClientCertificateMapping clientCertificates,
            Map<String, CallerPolicy> policies, Map<String, RateLimit> rateLimits, RateLimit defaultRateLimit,
            DenyListSettings denyList) {
        this(apiKeys, clientCertificates, policies, rateLimits, defaultRateLimit, denyList, Map.of(), Map.of(), false);
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
        return apiKeys.size() > 0 || !jwtCallers.isEmpty() || (clientCa && !clientCertificates.isEmpty());
    }

    @Override
    public String toString() {
        return "callers " + new java.util.TreeSet<>(policies.keySet()) + ", " + apiKeys.size() + " API key(s), "
                + clientCertificates.entries().size() + " certificate subject(s), "
                + (jwtCallers.isEmpty() ? "" : "JWT " + new java.util.TreeMap<>(jwtCallers) + ", ")
                + (anonymous ? "ANONYMOUS calls allowed, " : "") + "deny-list " + denyList;
    }
}
