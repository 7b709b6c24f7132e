package io.tokenservice.server.auth;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/** Where an issuer's verification keys come from. */
public sealed interface JwksSource {
    /** A JWK set file, read with the configuration (and again, with it, when the file changes). */
    record File(Path path, JwksKeys keys) implements JwksSource {
        public File {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(keys, "keys");
        }

        @Override
        public String toString() {
            return path.toString();
        }
    }

    /**
     * A JWK set served over HTTPS (plain HTTP only from a loopback address), fetched in the background every
     * {@code refresh} and never on a call.
     */
    record Url(URI uri, Duration refresh) implements JwksSource {
        public static final Duration DEFAULT_REFRESH = Duration.ofMinutes(5);
        public static final Duration MIN_REFRESH = Duration.ofSeconds(10);

        public Url {
            Objects.requireNonNull(uri, "uri");
            Objects.requireNonNull(refresh, "refresh");
        }

        @Override
        public String toString() {
            return uri.toString();
        }
    }
}
