package io.tokenservice.server.rpc;

import io.tokenservice.core.wire.Sha256;

/** The token_sha256_prefix: what logs and audit records show instead of a token. */
public final class TokenDigest {
    private static final int PREFIX_HEX_DIGITS = 12;

    private TokenDigest() {}

    /** The first 12 lowercase hex characters of SHA-256 over the token's UTF-8 bytes. */
    public static String sha256Prefix(String token) {
        return Sha256.hexPrefix(token, PREFIX_HEX_DIGITS);
    }
}
