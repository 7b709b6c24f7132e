package io.tokenservice.server.config;

import static io.tokenservice.server.config.EnvironmentVariables.FIRST_MESSAGE_TIMEOUT_SECONDS;
import static io.tokenservice.server.config.EnvironmentVariables.MAX_CONCURRENT_CALLS_PER_CONNECTION;
import static io.tokenservice.server.config.EnvironmentVariables.MAX_CONNECTION_AGE_GRACE_SECONDS;
import static io.tokenservice.server.config.EnvironmentVariables.MAX_CONNECTION_AGE_SECONDS;
import static io.tokenservice.server.config.EnvironmentVariables.MAX_CONNECTION_IDLE_SECONDS;
import static io.tokenservice.server.config.EnvironmentVariables.MAX_HEADER_LIST_BYTES;
import static io.tokenservice.server.config.EnvironmentVariables.MAX_PUBLIC_CALLS_PER_CONNECTION;
import static io.tokenservice.server.config.EnvironmentVariables.MAX_REQUEST_BYTES;
import static io.tokenservice.server.config.EnvironmentVariables.MAX_UNAUTHENTICATED_CONNECTIONS;
import static io.tokenservice.server.config.EnvironmentVariables.PERMIT_KEEPALIVE_TIME_SECONDS;
import static io.tokenservice.server.config.EnvironmentVariables.PERMIT_KEEPALIVE_WITHOUT_CALLS;
import static io.tokenservice.server.config.EnvironmentVariables.UNAUTHENTICATED_CONNECTION_TIMEOUT_SECONDS;

import java.time.Duration;
import java.util.Set;

/**
 * {@link Configuration#transport()}: the {@code transport:} section, each key overridden by its variable of
 * the same name in upper case ({@code max_request_bytes}: {@code MAX_REQUEST_BYTES}). Absent keys keep
 * {@link TransportSettings#DEFAULTS}.
 */
final class TransportSection {
    static final String KEY = "transport";
    private static final Set<String> KEYS = Set.of("max_concurrent_calls_per_connection",
            "max_public_calls_per_connection", "max_request_bytes", "max_header_list_bytes",
            "first_message_timeout_seconds", "max_connection_idle_seconds", "max_connection_age_seconds",
            "max_connection_age_grace_seconds", "permit_keepalive_time_seconds", "permit_keepalive_without_calls",
            "unauthenticated_connection_timeout_seconds", "max_unauthenticated_connections");

    private TransportSection() {}

    static TransportSettings read(ConfigSource in) {
        ConfigNode.Mapping t = in.top().get(KEY).mapping(KEYS);
        TransportSettings d = TransportSettings.DEFAULTS;
        long maxSeconds = TransportSettings.MAX_DURATION.toSeconds();
        int maxCalls = (int) in.wholeNumber(MAX_CONCURRENT_CALLS_PER_CONNECTION,
                t.get("max_concurrent_calls_per_connection"), d.maxConcurrentCallsPerConnection(), 1,
                TransportSettings.MAX_CALLS_PER_CONNECTION);
        ConfigNode publicCallsNode = t.get("max_public_calls_per_connection");
        int publicCalls = (int) in.wholeNumber(MAX_PUBLIC_CALLS_PER_CONNECTION, publicCallsNode,
                Math.min(d.maxPublicCallsPerConnection(), maxCalls), 1, TransportSettings.MAX_CALLS_PER_CONNECTION);
        if (publicCalls > maxCalls) {
            String problem = "must not exceed max_concurrent_calls_per_connection (" + maxCalls + ")";
            throw in.variable(MAX_PUBLIC_CALLS_PER_CONNECTION).map(v -> v.error(problem))
                    .orElseGet(() -> publicCallsNode.error(problem));
        }
        return new TransportSettings(maxCalls, publicCalls,
                (int) in.wholeNumber(MAX_REQUEST_BYTES, t.get("max_request_bytes"), d.maxRequestBytes(),
                        TransportSettings.MIN_REQUEST_BYTES, TransportSettings.MAX_REQUEST_BYTES),
                (int) in.wholeNumber(MAX_HEADER_LIST_BYTES, t.get("max_header_list_bytes"), d.maxHeaderListBytes(),
                        TransportSettings.MIN_HEADER_LIST_BYTES, TransportSettings.MAX_HEADER_LIST_BYTES),
                seconds(in, FIRST_MESSAGE_TIMEOUT_SECONDS, t.get("first_message_timeout_seconds"),
                        d.firstMessageTimeout(), 1, maxSeconds),
                seconds(in, MAX_CONNECTION_IDLE_SECONDS, t.get("max_connection_idle_seconds"), d.maxConnectionIdle(),
                        0, maxSeconds),
                seconds(in, MAX_CONNECTION_AGE_SECONDS, t.get("max_connection_age_seconds"), d.maxConnectionAge(),
                        0, maxSeconds),
                seconds(in, MAX_CONNECTION_AGE_GRACE_SECONDS, t.get("max_connection_age_grace_seconds"),
                        d.maxConnectionAgeGrace(), 0, maxSeconds),
                seconds(in, PERMIT_KEEPALIVE_TIME_SECONDS, t.get("permit_keepalive_time_seconds"),
                        d.permitKeepAliveTime(), 0, maxSeconds),
                in.flag(PERMIT_KEEPALIVE_WITHOUT_CALLS, t.get("permit_keepalive_without_calls"),
                        d.permitKeepAliveWithoutCalls()),
                seconds(in, UNAUTHENTICATED_CONNECTION_TIMEOUT_SECONDS,
                        t.get("unauthenticated_connection_timeout_seconds"), d.unauthenticatedConnectionTimeout(), 1,
                        maxSeconds),
                (int) in.wholeNumber(MAX_UNAUTHENTICATED_CONNECTIONS, t.get("max_unauthenticated_connections"),
                        d.maxUnauthenticatedConnections(), 1, TransportSettings.MAX_UNAUTHENTICATED_CONNECTIONS));
    }

    /** Whole seconds; 0 means "never" where {@code min} allows it (see {@link TransportSettings}). */
    private static Duration seconds(ConfigSource in, String variable, ConfigNode node, Duration defaultValue,
            long min, long max) {
        return Duration.ofSeconds(in.wholeNumber(variable, node, defaultValue.toSeconds(), min, max));
    }
}
