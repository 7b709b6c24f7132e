package io.tokenservice.core.issue;

/**
 * The longest lifetime the issuer will sign. Agora documents 24 hours as the maximum for 007 tokens;
 * widening it is an explicit choice of the library's caller.
 */
public record TokenLimits(long maxTtlSeconds) {
    public static final long AGORA_MAX_TTL_SECONDS = 24 * 60 * 60;

    public TokenLimits {
        if (maxTtlSeconds <= 0 || maxTtlSeconds > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("maxTtlSeconds must be between 1 and 4294967295");
        }
    }

    public static TokenLimits agoraDefault() {
        return new TokenLimits(AGORA_MAX_TTL_SECONDS);
    }
}
