package io.tokenservice.server.config;

import static io.tokenservice.server.config.EnvironmentVariables.GRPC_PORT;
import static io.tokenservice.server.config.EnvironmentVariables.RENEW_GRACE_SECONDS;
import static io.tokenservice.server.config.EnvironmentVariables.SHUTDOWN_GRACE_SECONDS;

import java.time.Duration;
import java.util.List;

/** {@link Configuration#server()}: top-level {@code grpc_port}, {@code renew_grace_seconds}, {@code shutdown_grace_seconds}. */
final class ServerSection {
    static final List<String> KEYS = List.of("grpc_port", "renew_grace_seconds", "shutdown_grace_seconds");

    private ServerSection() {}

    static ServerSettings read(ConfigSource in) {
        ConfigNode.Mapping top = in.top();
        long port = in.wholeNumber(GRPC_PORT, top.get("grpc_port"), ServerSettings.DEFAULT_GRPC_PORT, 0,
                ServerSettings.MAX_PORT);
        return new ServerSettings((int) port,
                seconds(in, RENEW_GRACE_SECONDS, top.get("renew_grace_seconds"), ServerSettings.DEFAULT_RENEW_GRACE,
                        ServerSettings.MAX_RENEW_GRACE),
                seconds(in, SHUTDOWN_GRACE_SECONDS, top.get("shutdown_grace_seconds"),
                        ServerSettings.DEFAULT_SHUTDOWN_GRACE, ServerSettings.MAX_SHUTDOWN_GRACE));
    }

    private static Duration seconds(ConfigSource in, String variable, ConfigNode node, Duration defaultValue,
            Duration max) {
        return Duration.ofSeconds(in.wholeNumber(variable, node, defaultValue.toSeconds(), 0, max.toSeconds()));
    }
}
