package io.tokenservice.server.config;

import io.lettuce.core.RedisURI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the rate-limit buckets every replica shares are kept ({@code redis:}, {@code TOKEN_SERVICE_REDIS_URL}):
 * host, port, database, TLS ({@code rediss://}, checked against the JVM's CAs and {@code caFile}), the
 * credentials, and how long a call waits for Redis. Read at start only. {@link #toString()} never shows the
 * password.
 */
public record RedisSettings(boolean tls, String host, int port, int database, Optional<String> username,
        Optional<String> password, Optional<Path> caFile, Duration timeout) {
    public static final int DEFAULT_PORT = 6379;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(50);
    public static final Duration MAX_TIMEOUT = Duration.ofSeconds(10);

    public RedisSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(caFile, "caFile");
        Objects.requireNonNull(timeout, "timeout");
    }

    /** The connection Lettuce makes: credentials, TLS with full peer verification, database. */
    public RedisURI redisUri() {
        RedisURI.Builder uri = RedisURI.builder().withHost(host).withPort(port).withSsl(tls).withDatabase(database);
        if (password.isPresent()) {
            if (username.isPresent()) {
                uri.withAuthentication(username.get(), password.get());
            } else {
                uri.withPassword(password.get().toCharArray());
            }
        }
        return uri.build();
    }

    @Override
    public String toString() {
        return (tls ? "rediss://" : "redis://") + username.map(u -> u + "@").orElse("") + host + ":" + port
                + (database == 0 ? "" : "/" + database) + (password.isPresent() ? " with a password" : "")
                + caFile.map(ca -> ", CA " + ca).orElse("") + ", timeout " + timeout.toMillis() + " ms";
    }
}
