package io.tokenservice.server.rpc;

import io.tokenservice.core.issue.TokenLimits;
import io.tokenservice.core.validation.InputRules;
import io.tokenservice.server.config.AppRegistry;

/** Request rules shared by several RPCs: the app_id and ttl_seconds fields, and enum values. */
public final class RequestRules {
    /**
     * The shortest token lifetime issued or renewed. The SDKs report "token privilege will expire" 30 s
     * before expiry, so a shorter token would fire that event the moment it is used: refused rather than
     * issued with a warning nobody reads.
     */
    public static final long MIN_TTL_SECONDS = 30;

    /**
     * The most resources an RTM 2.x token may name, over all its permissions. A resource is at most 64 bytes
     * plus a 2-byte length, so 160 of them make at most 10,560 bytes of token content: below the 12,285 bytes
     * of compressed data that a token of the 16 KiB decoders accept can hold, even if nothing compresses.
     * Agora's own large RTM2 test token names 160.
     */
    public static final int MAX_RTM2_RESOURCES = 160;

    private RequestRules() {}

    /**
     * The App ID a request is for: the request's, or with an empty app_id the server's only app. Empty
     * while the server holds several apps, or not 32 hex characters, is a violation of {@code app_id}
     * (then the result is empty). An App ID the server holds is returned as configured, whatever the
     * letter case of the request, so that policy, audit and the signature all see one form. Whether the
     * server holds the app is checked later (NOT_FOUND).
     */
    public static String appId(String requested, AppRegistry apps, Violations violations) {
        if (requested.isEmpty()) {
            if (apps.size() == 1) {
                return apps.only().orElseThrow().appId();
            }
            violations.add("app_id", "is required because this server holds " + apps.size() + " apps");
            return "";
        }
        return violations.check("app_id", () -> InputRules.requireHex32("app_id", requested))
                ? apps.configuredForm(requested) : "";
    }

    /**
     * The token lifetime for a request's ttl_seconds (unsigned): 0 = {@code defaultSeconds}; under
     * {@link #MIN_TTL_SECONDS} or above {@link TokenLimits#AGORA_MAX_TTL_SECONDS} is a violation of
     * {@code ttl_seconds}.
     */
    public static long ttl(int ttlSeconds, long defaultSeconds, Violations violations) {
        long ttl = Integer.toUnsignedLong(ttlSeconds);
        if (ttl == 0) {
            return defaultSeconds;
        }
        if (ttl < MIN_TTL_SECONDS) {
            violations.add("ttl_seconds", tooShort(ttl));
        }
        if (ttl > TokenLimits.AGORA_MAX_TTL_SECONDS) {
            violations.add("ttl_seconds", "must be at most " + TokenLimits.AGORA_MAX_TTL_SECONDS
                    + " seconds (24 hours), got " + ttl);
        }
        return ttl;
    }

    /** Why a lifetime under {@link #MIN_TTL_SECONDS} is refused, for {@code ttl_seconds}. */
    public static String tooShort(long ttl) {
        return "must be at least " + MIN_TTL_SECONDS + " seconds, got " + ttl + ": the SDK reports \"token "
                + "privilege will expire\" 30 s before expiry, so a shorter token would ask for renewal at once";
    }

    /**
     * The violation for an enum field left unset ({@code value} 0) or set to a number the contract does
     * not define (e.g. {@code "role": 7} over JSON), so the two read differently.
     */
    public static void enumViolation(String field, int value, String choices, Violations violations) {
        if (value == 0) {
            violations.add(field, "is required: " + choices);
        } else {
            violations.add(field, "has the unknown value " + value + ": use " + choices);
        }
    }
}
