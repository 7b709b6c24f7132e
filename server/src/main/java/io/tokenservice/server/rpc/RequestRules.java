package io.tokenservice.server.rpc;

import io.tokenservice.core.issue.TokenLimits;
import io.tokenservice.core.validation.InputRules;
import io.tokenservice.server.config.AppRegistry;

/** Request rules shared by several RPCs: the app_id and ttl_seconds fields. */
public final class RequestRules {
    private RequestRules() {}

    /**
     * The App ID a request is for: the request's, or with an empty app_id the server's only app. Empty
     * while the server holds several apps, or not 32 hex characters, is a violation of {@code app_id}
     * (then the result is empty). Whether the server holds the app is checked later (NOT_FOUND).
     */
    public static String appId(String requested, AppRegistry apps, Violations violations) {
        if (requested.isEmpty()) {
            if (apps.size() == 1) {
                return apps.only().orElseThrow().appId();
            }
            violations.add("app_id", "is required because this server holds " + apps.size() + " apps");
            return "";
        }
        return violations.check("app_id", () -> InputRules.requireHex32("app_id", requested)) ? requested : "";
    }

    /**
     * The token lifetime for a request's ttl_seconds (unsigned): 0 = {@code defaultSeconds}; above
     * {@link TokenLimits#AGORA_MAX_TTL_SECONDS} is a violation of {@code ttl_seconds}.
     */
    public static long ttl(int ttlSeconds, long defaultSeconds, Violations violations) {
        long ttl = Integer.toUnsignedLong(ttlSeconds);
        if (ttl == 0) {
            return defaultSeconds;
        }
        if (ttl > TokenLimits.AGORA_MAX_TTL_SECONDS) {
            violations.add("ttl_seconds", "must be at most " + TokenLimits.AGORA_MAX_TTL_SECONDS
                    + " seconds (24 hours), got " + ttl);
        }
        return ttl;
    }
}
