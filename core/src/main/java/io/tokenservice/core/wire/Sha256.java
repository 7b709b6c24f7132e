package io.tokenservice.core.wire;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA-256 of text (its UTF-8 bytes) with one {@link MessageDigest} per thread, and its lowercase hex
 * form: what stands in for a secret wherever one must be named without being shown (a stored API key,
 * a token in an audit record).
 */
public final class Sha256 {
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final ThreadLocal<MessageDigest> DIGEST = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    });

    private Sha256() {}

    /** The 32-byte digest of {@code text}'s UTF-8 bytes. */
    public static byte[] of(String text) {
        MessageDigest digest = DIGEST.get();
        digest.reset();
        return digest.digest(text.getBytes(StandardCharsets.UTF_8));
    }

    /** All 64 lowercase hex digits of {@link #of(String)}. */
    public static String hex(String text) {
        return hexPrefix(text, 64);
    }

    /** The first {@code digits} (even, 2..64) lowercase hex digits of {@link #of(String)}. */
    public static String hexPrefix(String text, int digits) {
        if (digits < 2 || digits > 64 || digits % 2 != 0) {
            throw new IllegalArgumentException("digits must be even, from 2 to 64: " + digits);
        }
        byte[] hash = of(text);
        char[] out = new char[digits];
        for (int i = 0; i < digits / 2; i++) {
            out[2 * i] = HEX[(hash[i] >> 4) & 0xF];
            out[2 * i + 1] = HEX[hash[i] & 0xF];
        }
        return new String(out);
    }
}
