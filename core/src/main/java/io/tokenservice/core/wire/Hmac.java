package io.tokenservice.core.wire;

import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 with one {@link Mac} per thread: creating a {@code Mac} looks up a provider and is
 * far costlier than the hashing itself at token sizes.
 */
public final class Hmac {
    private static final String ALGORITHM = "HmacSHA256";
    private static final ThreadLocal<Mac> MAC = ThreadLocal.withInitial(Hmac::newMac);

    private Hmac() {}

    public static byte[] sha256(byte[] key, byte[] message) {
        return sha256(key, message, 0, message.length);
    }

    public static byte[] sha256(byte[] key, byte[] message, int offset, int length) {
        Mac mac = MAC.get();
        try {
            mac.init(new SecretKeySpec(key, ALGORITHM));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 rejected a key", e);
        }
        mac.update(message, offset, length);
        return mac.doFinal();
    }

    /** HMAC over several parts without concatenating them first (006 signs appId||channel||uid||message). */
    public static byte[] sha256(byte[] key, byte[]... parts) {
        Mac mac = MAC.get();
        try {
            mac.init(new SecretKeySpec(key, ALGORITHM));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 rejected a key", e);
        }
        for (byte[] part : parts) {
            mac.update(part);
        }
        return mac.doFinal();
    }

    private static Mac newMac() {
        try {
            return Mac.getInstance(ALGORITHM);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK provides no HmacSHA256", e);
        }
    }
}
