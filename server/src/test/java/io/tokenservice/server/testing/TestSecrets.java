package io.tokenservice.server.testing;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every secret the server tests create or use (App Certificates, API keys, TLS certificates and private
 * keys), for the suite-wide check that none of them ever reaches a log line ({@code EveryLogLineOfTheSuiteTest}).
 * Fixtures register a secret where they define it: {@code static final String KEY = TestSecrets.register("...")}.
 */
public final class TestSecrets {
    /** Shorter strings would match by accident; no real secret is this short. */
    private static final int MIN_LENGTH = 8;
    private static final Set<String> SECRETS = ConcurrentHashMap.newKeySet();

    private TestSecrets() {}

    /** Registers {@code secret} and returns it. */
    public static String register(String secret) {
        if (secret != null && secret.length() >= MIN_LENGTH) {
            SECRETS.add(secret);
        }
        return secret;
    }

    public static <C extends Collection<String>> C registerAll(C secrets) {
        secrets.forEach(TestSecrets::register);
        return secrets;
    }

    /**
     * Registers DER-encoded key material (a certificate or private key) the way it would leak: its base64
     * as a whole and every line of its PEM (64 characters) and MIME (76 characters) forms.
     */
    public static void registerDer(byte[] der) {
        String base64 = java.util.Base64.getEncoder().encodeToString(der);
        register(base64);
        for (int width : new int[] {64, 76}) {
            for (int i = 0; i + width <= base64.length(); i += width) {
                register(base64.substring(i, i + width));
            }
        }
    }

    /** What was registered so far. */
    public static Set<String> all() {
        return Set.copyOf(SECRETS);
    }
}
