package io.tokenservice.server.config;

import io.tokenservice.server.auth.ApiKeyRegistry;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;

/**
 * What a server with nothing configured makes up, once per {@link ConfigLoader} so that every reload sees
 * the same: a throw-away app only this process knows (its tokens work against this server, never against
 * Agora) and, unless {@code TOKEN_SERVICE_API_KEYS} is set, one API key for caller
 * {@value ConfigLoader#DEVELOPMENT_CALLER}.
 */
final class DevelopmentDefaults {
    private final SecureRandom random;
    private AppKeys app;
    private String key;

    DevelopmentDefaults(SecureRandom random) {
        this.random = random;
    }

    synchronized AppKeys app() {
        if (app == null) {
            app = AppKeys.of(hex32(), hex32());
        }
        return app;
    }

    synchronized String key() {
        if (key == null) {
            key = ApiKeyRegistry.generateKey(random);
        }
        return key;
    }

    /** The key, if one was made (to be shown once on the console, never logged). */
    synchronized Optional<String> keyIfMade() {
        return Optional.ofNullable(key);
    }

    private String hex32() {
        byte[] data = new byte[16];
        random.nextBytes(data);
        return HexFormat.of().formatHex(data);
    }
}
