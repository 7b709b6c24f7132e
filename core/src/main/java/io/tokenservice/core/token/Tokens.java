package io.tokenservice.core.token;

/** Entry point for token strings of either version. */
public final class Tokens {
    private Tokens() {}

    /**
     * Decodes a 007 or 006 token, untrusted. Fails only with {@link MalformedTokenException}; the
     * result is not verified.
     */
    public static DecodedToken decode(String token) {
        if (token == null || token.isEmpty()) {
            throw new MalformedTokenException("token is empty");
        }
        String trimmed = token.strip();
        if (trimmed.startsWith(AccessToken2Codec.VERSION)) {
            return AccessToken2Codec.decode(trimmed);
        }
        if (trimmed.startsWith(AccessTokenCodec.VERSION)) {
            return AccessTokenCodec.decode(trimmed);
        }
        throw new MalformedTokenException(trimmed.length() >= 3 && trimmed.substring(0, 3).matches("00[0-5]")
                ? "version " + trimmed.substring(0, 3) + " dynamic keys are not supported; only 006 and 007 tokens are"
                : "not an Agora token: it must start with \"007\" or \"006\"");
    }
}
