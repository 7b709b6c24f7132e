package io.tokenservice.core.wire;

import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA-256 of text (its UTF-8 bytes) with one {@link MessageDigest} per thread, and its lowercase hex
 * form: what stands in for a secret wherever one must be named without being shown (a stored API key,
 * a token in an audit record).
 */
public final class Sha256 {
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final ThreadLocal<State> STATE = ThreadLocal.withInitial(State::new);

    /** A thread's digest, and room for ASCII text and a hash, so naming a token allocates only the name. */
    private static final class State {
        final MessageDigest digest;
        final byte[] hash = new byte[32];
        byte[] text = new byte[512];

        State() {
            try {
                digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java platform has SHA-256", e);
            }
        }

        /** Hashes {@code text}'s UTF-8 bytes into {@link #hash}. */
        byte[] hash(String value) {
            digest.reset();
            int n = value.length();
            if (n > text.length) {
                text = new byte[Math.max(n, text.length * 2)];
            }
            for (int i = 0; i < n; i++) {
                char c = value.charAt(i);
                if (c >= 0x80) {
                    digest.update(value.getBytes(StandardCharsets.UTF_8));
                    return finish();
                }
                text[i] = (byte) c;
            }
            digest.update(text, 0, n);
            return finish();
        }

        private byte[] finish() {
            try {
                digest.digest(hash, 0, hash.length);
            } catch (DigestException e) {
                throw new IllegalStateException("SHA-256 output of 32 bytes did not fit 32 bytes", e);
            }
            return hash;
        }
    }

    private Sha256() {}

    /** The 32-byte digest of {@code text}'s UTF-8 bytes. */
    public static byte[] of(String text) {
        return STATE.get().hash(text).clone();
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
        byte[] hash = STATE.get().hash(text);
        char[] out = new char[digits];
        for (int i = 0; i < digits / 2; i++) {
            out[2 * i] = HEX[(hash[i] >> 4) & 0xF];
            out[2 * i + 1] = HEX[hash[i] & 0xF];
        }
        return new String(out);
    }
}
