package io.tokenservice.core.wire;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * HMAC-SHA256 (RFC 2104) over one {@link MessageDigest} per thread. Written out rather than through
 * {@code javax.crypto.Mac} because signing a token takes two HMACs with fresh keys, and {@code Mac.init}
 * copies every key twice and {@code doFinal} allocates two digests: about 260 bytes of garbage per HMAC,
 * a quarter of what building a token allocated. {@link #sha256Into} allocates nothing.
 */
public final class Hmac {
    private static final int BLOCK_BYTES = 64;
    public static final int LENGTH = 32;
    private static final byte IPAD = 0x36;
    private static final byte OPAD = 0x5c;
    private static final ThreadLocal<Hmac> STATE = ThreadLocal.withInitial(Hmac::new);

    private final MessageDigest digest;
    private final byte[] pad = new byte[BLOCK_BYTES];
    private final byte[] hashedKey = new byte[LENGTH];
    private final byte[] inner = new byte[LENGTH];

    private Hmac() {
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    public static byte[] sha256(byte[] key, byte[] message) {
        return sha256(key, message, 0, message.length);
    }

    public static byte[] sha256(byte[] key, byte[] message, int offset, int length) {
        byte[] out = new byte[LENGTH];
        sha256Into(key, 0, key.length, message, offset, length, out, 0);
        return out;
    }

    /** HMAC over several parts without concatenating them first (006 signs appId||channel||uid||message). */
    public static byte[] sha256(byte[] key, byte[]... parts) {
        Hmac h = STATE.get();
        h.start(key, 0, key.length);
        for (byte[] part : parts) {
            h.digest.update(part);
        }
        byte[] out = new byte[LENGTH];
        h.finish(out, 0);
        return out;
    }

    /**
     * Writes the HMAC of {@code message[offset, offset + length)} under {@code key[keyOffset, keyOffset +
     * keyLength)} into {@code out[outOffset, outOffset + 32)}. {@code out} may be the message's array if the
     * ranges do not overlap.
     */
    public static void sha256Into(byte[] key, int keyOffset, int keyLength, byte[] message, int offset, int length,
            byte[] out, int outOffset) {
        Hmac h = STATE.get();
        h.start(key, keyOffset, keyLength);
        h.digest.update(message, offset, length);
        h.finish(out, outOffset);
    }

    private void start(byte[] key, int keyOffset, int keyLength) {
        digest.reset();
        byte[] k = key;
        int kOffset = keyOffset;
        int kLength = keyLength;
        if (keyLength > BLOCK_BYTES) {
            digest.update(key, keyOffset, keyLength);
            digestInto(hashedKey, 0);
            k = hashedKey;
            kOffset = 0;
            kLength = LENGTH;
        }
        for (int i = 0; i < BLOCK_BYTES; i++) {
            pad[i] = (byte) ((i < kLength ? k[kOffset + i] : 0) ^ IPAD);
        }
        digest.update(pad);
    }

    private void finish(byte[] out, int outOffset) {
        digestInto(inner, 0);
        for (int i = 0; i < BLOCK_BYTES; i++) {
            pad[i] ^= IPAD ^ OPAD;
        }
        digest.update(pad);
        digest.update(inner);
        digestInto(out, outOffset);
    }

    private void digestInto(byte[] out, int offset) {
        try {
            digest.digest(out, offset, LENGTH);
        } catch (DigestException e) {
            throw new IllegalStateException("SHA-256 output of 32 bytes did not fit 32 bytes", e);
        }
    }
}
