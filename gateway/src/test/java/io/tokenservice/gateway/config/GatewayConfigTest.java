package io.tokenservice.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tokenservice.env.Environment;
import io.tokenservice.env.EnvironmentException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GatewayConfigTest {
    @TempDir
    Path dir;

    private GatewayConfig load(Map<String, String> env) {
        return GatewayConfig.fromEnvironment(Environment.load(env, dir));
    }

    @Test
    void defaults() {
        GatewayConfig config = load(Map.of());
        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.bindAddress()).isEmpty();
        assertThat(config.backendTarget()).isEqualTo("localhost:50051");
        assertThat(config.backendTls().enabled()).isFalse();
        assertThat(config.tls()).isEmpty();
        assertThat(config.corsOrigins()).isEmpty();
        assertThat(config.staticDir()).isEmpty();
        assertThat(config.callTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.shutdownGrace()).isEqualTo(Duration.ofSeconds(20));
        assertThat(config.scheme()).isEqualTo("http");
    }

    @Test
    void everyVariable() throws IOException {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "x");
        Path cert = Files.writeString(dir.resolve("tls.crt"), "x");
        Path key = Files.writeString(dir.resolve("tls.key"), "x");
        Path page = Files.createDirectory(dir.resolve("page"));
        GatewayConfig config = load(Map.of("GATEWAY_PORT", "9443", "GATEWAY_BIND_ADDRESS", "127.0.0.1",
                "TOKEN_SERVICE_TARGET", "dns:///tokens.internal:50051", "TOKEN_SERVICE_TLS_CA_FILE", "ca.pem",
                "GATEWAY_TLS_CERT_FILE", cert.toString(), "GATEWAY_TLS_KEY_FILE", "tls.key",
                "GATEWAY_CORS_ORIGINS", "https://App.example.com, http://localhost:5173,",
                "GATEWAY_STATIC_DIR", "page", "GATEWAY_CALL_TIMEOUT_SECONDS", "3", "GATEWAY_SHUTDOWN_GRACE_SECONDS", "0"));
        assertThat(config.port()).isEqualTo(9443);
        assertThat(config.bindAddress()).hasValue("127.0.0.1");
        assertThat(config.backendTarget()).isEqualTo("dns:///tokens.internal:50051");
        assertThat(config.backendTls()).isEqualTo(new GatewayConfig.BackendTls(true, Optional.of(ca)));
        assertThat(config.tls()).hasValue(new GatewayConfig.TlsFiles(cert, key));
        assertThat(config.corsOrigins()).containsExactly("https://app.example.com", "http://localhost:5173");
        assertThat(config.staticDir()).hasValue(page);
        assertThat(config.callTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(config.shutdownGrace()).isZero();
        assertThat(config.scheme()).isEqualTo("https");
        assertThat(load(Map.of("TOKEN_SERVICE_TLS", "true")).backendTls()).isEqualTo(new GatewayConfig.BackendTls(true, Optional.empty()));
        assertThat(load(Map.of("GATEWAY_CORS_ORIGINS", "*")).corsOrigins()).isEqualTo(List.of("*"));
    }

    @Test
    void aDotEnvFileSuppliesWhatTheEnvironmentLacks() throws IOException {
        Files.writeString(dir.resolve(".env"), "GATEWAY_PORT=7000\nTOKEN_SERVICE_TARGET=tokens:50051\n");
        GatewayConfig config = load(Map.of("GATEWAY_PORT", "7001"));
        assertThat(config.port()).isEqualTo(7001);
        assertThat(config.backendTarget()).isEqualTo("tokens:50051");
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "GATEWAY_PORT|80800|GATEWAY_PORT",
            "GATEWAY_PORT|http|GATEWAY_PORT",
            "GATEWAY_BIND_ADDRESS|a b|GATEWAY_BIND_ADDRESS",
            "TOKEN_SERVICE_TARGET|host :1|TOKEN_SERVICE_TARGET",
            "TOKEN_SERVICE_TLS|maybe|TOKEN_SERVICE_TLS",
            "TOKEN_SERVICE_TLS_CA_FILE|missing.pem|TOKEN_SERVICE_TLS_CA_FILE",
            "GATEWAY_TLS_CERT_FILE|tls.crt|GATEWAY_TLS_KEY_FILE",
            "GATEWAY_CORS_ORIGINS|https://a.example/path|GATEWAY_CORS_ORIGINS",
            "GATEWAY_CORS_ORIGINS|app.example.com|GATEWAY_CORS_ORIGINS",
            "GATEWAY_CORS_ORIGINS|*,https://a.example|GATEWAY_CORS_ORIGINS",
            "GATEWAY_STATIC_DIR|no-such-dir|GATEWAY_STATIC_DIR",
            "GATEWAY_CALL_TIMEOUT_SECONDS|0|GATEWAY_CALL_TIMEOUT_SECONDS",
            "GATEWAY_SHUTDOWN_GRACE_SECONDS|-1|GATEWAY_SHUTDOWN_GRACE_SECONDS"})
    void badConfigurationIsOneLineNamingTheVariableNeverItsValue(String name, String value, String named) {
        assertThatThrownBy(() -> load(Map.of(name, value)))
                .isInstanceOf(EnvironmentException.class)
                .hasMessageContaining(named)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void aCaFileWithTlsOffIsAContradiction() throws IOException {
        Files.writeString(dir.resolve("ca.pem"), "x");
        assertThatThrownBy(() -> load(Map.of("TOKEN_SERVICE_TLS_CA_FILE", "ca.pem", "TOKEN_SERVICE_TLS", "false")))
                .isInstanceOf(EnvironmentException.class).hasMessageContaining("TOKEN_SERVICE_TLS");
    }
}
