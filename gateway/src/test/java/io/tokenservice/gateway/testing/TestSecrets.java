package io.tokenservice.gateway.testing;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Throw-away secrets the tests make (App Certificates, API keys), remembered so that the suite-wide log
 * check can look for each of them in every log line. Nothing secret is written in the test sources.
 */
public final class TestSecrets {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<String> ALL = ConcurrentHashMap.newKeySet();

    private TestSecrets() {}

    /** 32 random hex digits: an App ID, or (registered) an App Certificate. */
    public static String hex32() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    public static String certificate() {
        return register(hex32());
    }

    /** An API key of the shape the server's documentation suggests. */
    public static String apiKey() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return register("tsk_" + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
    }

    public static String register(String secret) {
        ALL.add(secret);
        return secret;
    }

    public static Set<String> all() {
        return Set.copyOf(ALL);
    }
}
