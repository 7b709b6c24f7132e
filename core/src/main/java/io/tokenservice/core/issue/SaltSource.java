package io.tokenservice.core.issue;

import java.security.SecureRandom;

/** Where token salts come from: any unsigned 32-bit value; it only makes tokens unique. */
@FunctionalInterface
public interface SaltSource {
    long nextSalt();

    /**
     * Salts from a {@link SecureRandom} per thread, so signing threads never contend on one generator.
     * The range 1..2^32-1 avoids 0, which some third-party parsers treat as "unset".
     */
    static SaltSource secure() {
        ThreadLocal<SecureRandom> random = ThreadLocal.withInitial(SecureRandom::new);
        return () -> 1 + (random.get().nextLong() >>> 1) % 0xFFFF_FFFFL;
    }

    static SaltSource fixed(long salt) {
        return () -> salt;
    }
}
