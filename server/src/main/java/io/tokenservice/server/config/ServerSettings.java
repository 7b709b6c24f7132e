package io.tokenservice.server.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The server's own settings (top level of the configuration file; environment variables override them).
 *
 * @param grpcPort the TCP port to listen on; 0 = any free port
 * @param renewGrace how long after expiry a token may still be renewed
 * @param shutdownGrace how long a graceful stop lets calls in flight finish
 */
public record ServerSettings(int grpcPort, Duration renewGrace, Duration shutdownGrace) {
    public static final int DEFAULT_GRPC_PORT = 50051;
    public static final int MAX_PORT = 65535;
    public static final Duration DEFAULT_RENEW_GRACE = Duration.ofSeconds(300);
    /** A token expired longer ago than a day is never renewed. */
    public static final Duration MAX_RENEW_GRACE = Duration.ofDays(1);
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(20);
    public static final Duration MAX_SHUTDOWN_GRACE = Duration.ofHours(1);

    public ServerSettings {
        if (grpcPort < 0 || grpcPort > MAX_PORT) {
            throw new ConfigException("gRPC port must be between 0 and " + MAX_PORT + ", got " + grpcPort);
        }
        requireWithin("renew grace", renewGrace, MAX_RENEW_GRACE);
        requireWithin("shutdown grace", shutdownGrace, MAX_SHUTDOWN_GRACE);
    }

    private static void requireWithin(String name, Duration duration, Duration max) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative()) {
            throw new ConfigException(name + " must not be negative");
        }
        if (duration.compareTo(max) > 0) {
            throw new ConfigException(name + " must be at most " + max.toSeconds() + " seconds, got "
                    + duration.toSeconds());
        }
    }
}
