package io.tokenservice.server.rpc;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** The token_sha256_prefix: what logs and audit records show instead of a token. */
public final class TokenDigest {
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final int PREFIX_BYTES = 6;
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    });

    private TokenDigest() {}

    /** The first 12 lowercase hex characters of SHA-256 over the token's UTF-8 bytes. */
    public static String sha256Prefix(String token) {
        MessageDigest digest = SHA256.get();
        digest.reset();
        byte[] hash = digest.digest(token.getBytes(StandardCharsets.UTF_8));
        char[] out = new char[PREFIX_BYTES * 2];
        for (int i = 0; i < PREFIX_BYTES; i++) {
            out[2 * i] = HEX[(hash[i] >> 4) & 0xF];
            out[2 * i + 1] = HEX[hash[i] & 0xF];
        }
        return new String(out);
    }
}
