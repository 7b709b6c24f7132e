package io.tokenservice.server.config;

import static io.tokenservice.server.testing.TestApps.APP_ID;
import static io.tokenservice.server.testing.TestApps.CERT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tokenservice.server.testing.TestSecrets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The transport limits from the {@code transport:} section and the environment variables over it. */
class TransportSectionTest {
    private static final String KEY = TestSecrets.register("tsk_transport_section_test_key_01");

    @TempDir
    Path dir;

    private Configuration load(String... keyValues) {
        Map<String, String> env = new HashMap<>(Map.of("APP_ID", APP_ID, "APP_CERTIFICATE", CERT,
                "TOKEN_SERVICE_API_KEYS", "web=" + KEY));
        for (int i = 0; i < keyValues.length; i += 2) {
            env.put(keyValues[i], keyValues[i + 1]);
        }
        return ConfigLoader.of(env, dir).load();
    }

    private Path file(String transportSection) throws IOException {
        return Files.writeString(dir.resolve("c.yaml"), "apps:\n  - app_id: " + APP_ID + "\n    primary_certificate: "
                + CERT + "\ntransport:\n" + transportSection);
    }

    private Configuration yaml(String transportSection, String... env) throws IOException {
        Map<String, String> variables = new HashMap<>(Map.of("TOKEN_SERVICE_CONFIG", file(transportSection).toString(),
                "TOKEN_SERVICE_API_KEYS", "web=" + KEY));
        for (int i = 0; i < env.length; i += 2) {
            variables.put(env[i], env[i + 1]);
        }
        return ConfigLoader.of(variables, dir).load();
    }

    private String error(String... keyValues) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(keyValues));
        assertThat(e).as("configuration should be refused").isNotNull();
        return e.getMessage();
    }

    private String yamlError(String transportSection) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> yaml(transportSection));
        assertThat(e).as("configuration should be refused").isNotNull();
        return e.getMessage();
    }

    @Test
    void withNothingSetTheDefaultsApply() {
        TransportSettings limits = load().transport();
        assertThat(limits).isEqualTo(TransportSettings.DEFAULTS);
        assertThat(limits.maxConcurrentCallsPerConnection()).isEqualTo(100);
        assertThat(limits.maxPublicCallsPerConnection()).isEqualTo(10);
        assertThat(limits.maxRequestBytes()).isEqualTo(65_536);
        assertThat(limits.maxHeaderListBytes()).isEqualTo(8_192);
        assertThat(limits.transportHeaderListBytes()).isEqualTo(65_536);
        assertThat(limits.firstMessageTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(limits.maxConnectionIdle()).isEqualTo(Duration.ofSeconds(60));
        assertThat(limits.maxConnectionAge()).isEqualTo(Duration.ofMinutes(30));
        assertThat(limits.maxConnectionAgeGrace()).isEqualTo(Duration.ofSeconds(30));
        assertThat(limits.permitKeepAliveTime()).isEqualTo(Duration.ofSeconds(20));
        assertThat(limits.permitKeepAliveWithoutCalls()).isTrue();
        assertThat(limits.unauthenticatedConnectionTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(limits.maxUnauthenticatedConnections()).isEqualTo(1_000);
    }

    @Test
    void everyLimitFromItsEnvironmentVariable() {
        TransportSettings limits = load("MAX_CONCURRENT_CALLS_PER_CONNECTION", "50", "MAX_PUBLIC_CALLS_PER_CONNECTION", "4",
                "MAX_REQUEST_BYTES", "32768", "MAX_HEADER_LIST_BYTES", "4096", "FIRST_MESSAGE_TIMEOUT_SECONDS", "3",
                "MAX_CONNECTION_IDLE_SECONDS", "0", "MAX_CONNECTION_AGE_SECONDS", "600",
                "MAX_CONNECTION_AGE_GRACE_SECONDS", "5", "PERMIT_KEEPALIVE_TIME_SECONDS", "10",
                "PERMIT_KEEPALIVE_WITHOUT_CALLS", "false", "UNAUTHENTICATED_CONNECTION_TIMEOUT_SECONDS", "7",
                "MAX_UNAUTHENTICATED_CONNECTIONS", "200").transport();
        assertThat(limits).isEqualTo(new TransportSettings(50, 4, 32_768, 4_096, Duration.ofSeconds(3), Duration.ZERO,
                Duration.ofSeconds(600), Duration.ofSeconds(5), Duration.ofSeconds(10), false, Duration.ofSeconds(7), 200));
        assertThat(limits.toString()).contains("connections idle unlimited");
    }

    @Test
    void everyLimitFromTheFileWithTheEnvironmentOverIt() throws IOException {
        TransportSettings limits = yaml("""
                  max_concurrent_calls_per_connection: 30
                  max_public_calls_per_connection: 3
                  max_request_bytes: 16384
                  max_header_list_bytes: 2048
                  first_message_timeout_seconds: 4
                  max_connection_idle_seconds: 120
                  max_connection_age_seconds: 0
                  max_connection_age_grace_seconds: 9
                  permit_keepalive_time_seconds: 40
                  permit_keepalive_without_calls: false
                  unauthenticated_connection_timeout_seconds: 15
                  max_unauthenticated_connections: 300
                """, "MAX_CONCURRENT_CALLS_PER_CONNECTION", "40").transport();
        assertThat(limits).isEqualTo(new TransportSettings(40, 3, 16_384, 2_048, Duration.ofSeconds(4),
                Duration.ofSeconds(120), Duration.ZERO, Duration.ofSeconds(9), Duration.ofSeconds(40), false,
                Duration.ofSeconds(15), 300));
    }

    @Test
    void aSmallerCallLimitLowersTheDefaultShareOfHealthAndReflection() {
        assertThat(load("MAX_CONCURRENT_CALLS_PER_CONNECTION", "5").transport().maxPublicCallsPerConnection())
                .isEqualTo(5);
    }

    @Test
    void badLimitsAreNamedWithTheirRangeNeverTheirValue() {
        assertThat(error("MAX_CONCURRENT_CALLS_PER_CONNECTION", "0"))
                .isEqualTo("MAX_CONCURRENT_CALLS_PER_CONNECTION: must be a whole number from 1 to 100000");
        assertThat(error("MAX_REQUEST_BYTES", "64k")).isEqualTo("MAX_REQUEST_BYTES: must be a whole number from 1024 to 16777216");
        assertThat(error("MAX_HEADER_LIST_BYTES", "100000"))
                .isEqualTo("MAX_HEADER_LIST_BYTES: must be a whole number from 1024 to 65536");
        assertThat(error("FIRST_MESSAGE_TIMEOUT_SECONDS", "0"))
                .isEqualTo("FIRST_MESSAGE_TIMEOUT_SECONDS: must be a whole number from 1 to 2592000");
        assertThat(error("UNAUTHENTICATED_CONNECTION_TIMEOUT_SECONDS", "-1"))
                .isEqualTo("UNAUTHENTICATED_CONNECTION_TIMEOUT_SECONDS: must be a whole number from 1 to 2592000");
        assertThat(error("PERMIT_KEEPALIVE_WITHOUT_CALLS", "yes")).isEqualTo("PERMIT_KEEPALIVE_WITHOUT_CALLS: must be true or false");
        assertThat(error("MAX_PUBLIC_CALLS_PER_CONNECTION", "20", "MAX_CONCURRENT_CALLS_PER_CONNECTION", "10"))
                .isEqualTo("MAX_PUBLIC_CALLS_PER_CONNECTION: must not exceed max_concurrent_calls_per_connection (10)");
    }

    @Test
    void fileErrorsNameTheKeyAndItsLine() {
        String file = "TOKEN_SERVICE_CONFIG " + dir.resolve("c.yaml");
        assertThat(yamlError("  max_request_byte: 1000\n")).isEqualTo(file + ": transport.max_request_byte (line 5): "
                + "unknown key; expected one of " + List.of("first_message_timeout_seconds",
                        "max_concurrent_calls_per_connection", "max_connection_age_grace_seconds",
                        "max_connection_age_seconds", "max_connection_idle_seconds", "max_header_list_bytes",
                        "max_public_calls_per_connection", "max_request_bytes", "max_unauthenticated_connections",
                        "permit_keepalive_time_seconds", "permit_keepalive_without_calls",
                        "unauthenticated_connection_timeout_seconds"));
        assertThat(yamlError("  max_request_bytes: 10\n"))
                .isEqualTo(file + ": transport.max_request_bytes (line 5): must be a whole number from 1024 to 16777216");
        assertThat(yamlError("  permit_keepalive_without_calls: sometimes\n"))
                .isEqualTo(file + ": transport.permit_keepalive_without_calls (line 5): must be true or false");
        assertThat(yamlError("  max_concurrent_calls_per_connection: 4\n  max_public_calls_per_connection: 5\n"))
                .isEqualTo(file + ": transport.max_public_calls_per_connection (line 6): must not exceed "
                        + "max_concurrent_calls_per_connection (4)");
    }

    @Test
    void aChangedTransportSectionWaitsForARestart() throws IOException {
        Configuration before = yaml("  max_request_bytes: 16384\n");
        Configuration after = yaml("  max_request_bytes: 32768\n");
        assertThat(before.restartOnlyChanges(after)).containsExactly("transport");
        assertThat(before.restartOnlyChanges(yaml("  max_request_bytes: 16384\n"))).isEmpty();
    }

    @Test
    void theRecordChecksWhatTheSettingsCannotExpress() {
        TransportSettings.Builder b = TransportSettings.DEFAULTS.toBuilder();
        assertThat(catchThrowableOfType(ConfigException.class,
                () -> b.maxConnectionIdle(Duration.ofMillis(500)).build()).getMessage())
                .isEqualTo("maxConnectionIdle must be 0 (never) or at least 1 second, not PT0.5S");
        assertThat(catchThrowableOfType(ConfigException.class,
                () -> TransportSettings.DEFAULTS.toBuilder().firstMessageTimeout(Duration.ZERO).build()).getMessage())
                .startsWith("firstMessageTimeout must be above 0");
        assertThat(TransportSettings.DEFAULTS.toBuilder().firstMessageTimeout(Duration.ofMillis(250)).build().toString())
                .contains("first message within 250 ms");
    }
}
