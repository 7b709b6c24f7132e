package io.tokenservice.server.config;

import static io.tokenservice.server.testing.TestApps.APP_ID;
import static io.tokenservice.server.testing.TestApps.CERT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tokenservice.server.transport.TransportLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The transport limits from the environment and the YAML {@code transport:} section. */
class TransportLimitsConfigTest {
    @TempDir
    Path dir;

    private TransportLimits load(String... keyValues) {
        Map<String, String> env = new HashMap<>(Map.of("APP_ID", APP_ID, "APP_CERTIFICATE", CERT));
        for (int i = 0; i < keyValues.length; i += 2) {
            env.put(keyValues[i], keyValues[i + 1]);
        }
        return ServerConfig.fromEnvironment(env, dir).transportLimits();
    }

    private TransportLimits yaml(String transportSection, String... env) throws IOException {
        Path file = Files.writeString(dir.resolve("c.yaml"), "apps:\n  - appId: " + APP_ID + "\n    primaryCertificate: "
                + CERT + "\ntransport:\n" + transportSection);
        Map<String, String> variables = new HashMap<>(Map.of("TOKEN_SERVICE_CONFIG", file.toString()));
        for (int i = 0; i < env.length; i += 2) {
            variables.put(env[i], env[i + 1]);
        }
        return ServerConfig.fromEnvironment(variables, dir).transportLimits();
    }

    private String error(String... keyValues) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(keyValues));
        assertThat(e).as("configuration should be refused").isNotNull();
        return e.getMessage();
    }

    @Test
    void withNothingSetTheDefaultsApply() {
        TransportLimits limits = load();
        assertThat(limits).isEqualTo(TransportLimits.DEFAULTS);
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
        TransportLimits limits = load("MAX_CONCURRENT_CALLS_PER_CONNECTION", "50", "MAX_PUBLIC_CALLS_PER_CONNECTION", "4",
                "MAX_REQUEST_BYTES", "32768", "MAX_HEADER_LIST_BYTES", "4096", "FIRST_MESSAGE_TIMEOUT_SECONDS", "3",
                "MAX_CONNECTION_IDLE_SECONDS", "0", "MAX_CONNECTION_AGE_SECONDS", "600",
                "MAX_CONNECTION_AGE_GRACE_SECONDS", "5", "PERMIT_KEEPALIVE_TIME_SECONDS", "10",
                "PERMIT_KEEPALIVE_WITHOUT_CALLS", "false", "UNAUTHENTICATED_CONNECTION_TIMEOUT_SECONDS", "7",
                "MAX_UNAUTHENTICATED_CONNECTIONS", "200");
        assertThat(limits).isEqualTo(new TransportLimits(50, 4, 32_768, 4_096, Duration.ofSeconds(3), Duration.ZERO,
                Duration.ofSeconds(600), Duration.ofSeconds(5), Duration.ofSeconds(10), false, Duration.ofSeconds(7), 200));
        assertThat(limits.toString()).contains("connections idle unlimited");
    }

    @Test
    void theYamlTransportSectionAndTheEnvironmentOverIt() throws IOException {
        TransportLimits limits = yaml("""
                  maxConcurrentCallsPerConnection: 30
                  firstMessageTimeoutSeconds: 4
                  permitKeepAliveWithoutCalls: false
                """, "MAX_CONCURRENT_CALLS_PER_CONNECTION", "40");
        assertThat(limits.maxConcurrentCallsPerConnection()).isEqualTo(40);
        assertThat(limits.firstMessageTimeout()).isEqualTo(Duration.ofSeconds(4));
        assertThat(limits.permitKeepAliveWithoutCalls()).isFalse();
        assertThat(limits.maxRequestBytes()).isEqualTo(TransportLimits.DEFAULTS.maxRequestBytes());
    }

    @Test
    void badLimitsAreNamedWithTheirRange() throws IOException {
        assertThat(error("MAX_CONCURRENT_CALLS_PER_CONNECTION", "0"))
                .isEqualTo("MAX_CONCURRENT_CALLS_PER_CONNECTION: must be a whole number from 1 to 100000");
        assertThat(error("MAX_REQUEST_BYTES", "64k")).isEqualTo("MAX_REQUEST_BYTES: must be a whole number from 1024 to 16777216");
        assertThat(error("MAX_HEADER_LIST_BYTES", "100000"))
                .isEqualTo("MAX_HEADER_LIST_BYTES: must be a whole number from 1024 to 65536");
        assertThat(error("FIRST_MESSAGE_TIMEOUT_SECONDS", "0"))
                .isEqualTo("FIRST_MESSAGE_TIMEOUT_SECONDS: must be a whole number from 1 to 2592000");
        assertThat(error("UNAUTHENTICATED_CONNECTION_TIMEOUT_SECONDS", "-1")).startsWith("UNAUTHENTICATED_CONNECTION_TIMEOUT_SECONDS: ");
        assertThat(error("PERMIT_KEEPALIVE_WITHOUT_CALLS", "yes")).isEqualTo("PERMIT_KEEPALIVE_WITHOUT_CALLS: must be true or false");
        assertThat(error("MAX_PUBLIC_CALLS_PER_CONNECTION", "20", "MAX_CONCURRENT_CALLS_PER_CONNECTION", "10"))
                .isEqualTo("transport limits: maxPublicCallsPerConnection must be from 1 to 10, not 20");

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> yaml("  maxRequestByte: 1000\n"));
        assertThat(e.getMessage()).contains("transport.maxRequestByte").contains("unknown key");
        e = catchThrowableOfType(ConfigException.class, () -> yaml("  maxRequestBytes: 10\n"));
        assertThat(e.getMessage()).endsWith("c.yaml: transport.maxRequestBytes: must be a whole number from 1024 to 16777216");
    }

    @Test
    void theRecordChecksWhatTheEnvironmentCannotExpress() {
        TransportLimits.Builder b = TransportLimits.DEFAULTS.toBuilder();
        assertThat(catchThrowableOfType(IllegalArgumentException.class,
                () -> b.maxConnectionIdle(Duration.ofMillis(500)).build()).getMessage())
                .isEqualTo("maxConnectionIdle must be 0 (never) or at least 1 second, not PT0.5S");
        assertThat(catchThrowableOfType(IllegalArgumentException.class,
                () -> TransportLimits.DEFAULTS.toBuilder().firstMessageTimeout(Duration.ZERO).build()).getMessage())
                .startsWith("firstMessageTimeout must be above 0");
        assertThat(TransportLimits.DEFAULTS.toBuilder().firstMessageTimeout(Duration.ofMillis(250)).build().toString())
                .contains("first message within 250 ms");
    }
}
