package io.tokenservice.server.config;

import static io.tokenservice.server.testing.TestApps.APP_ID;
import static io.tokenservice.server.testing.TestApps.CERT;
import static io.tokenservice.server.testing.TestApps.OLD_CERT;
import static io.tokenservice.server.testing.TestApps.OTHER_APP_ID;
import static io.tokenservice.server.testing.TestApps.OTHER_CERT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ServerConfig.fromEnvironment: environment, .env, certificate files, YAML, development default. */
class EnvironmentConfigTest {
    @TempDir
    Path dir;

    private ServerConfig load(String... keyValues) {
        return ServerConfig.fromEnvironment(env(keyValues), dir);
    }

    private static Map<String, String> env(String... keyValues) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            env.put(keyValues[i], keyValues[i + 1]);
        }
        return env;
    }

    /** The one-line message of the ConfigException, checked to hold no secret and no line break. */
    private String error(String... keyValues) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(keyValues));
        assertThat(e).as("configuration should be refused").isNotNull();
        assertThat(e.getMessage()).doesNotContain("\n").doesNotContain(CERT).doesNotContain(OLD_CERT)
                .doesNotContain(OTHER_CERT);
        return e.getMessage();
    }

    private Path write(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, content);
    }

    // --- single app from the environment ---

    @Test
    void appIdAndCertificateFromTheEnvironment() {
        ServerConfig config = load("APP_ID", APP_ID, "APP_CERTIFICATE", CERT);

        assertThat(config.developmentDefault()).isFalse();
        assertThat(config.apps().size()).isEqualTo(1);
        AppKeys app = config.apps().find(APP_ID).orElseThrow();
        assertThat(app.primary().appCertificate()).isEqualTo(CERT);
        assertThat(app.secondaryCertificate()).isEmpty();
        assertThat(config.grpcPort()).isEqualTo(50051);
        assertThat(config.renewGrace()).isEqualTo(Duration.ofSeconds(300));
        assertThat(config.shutdownGrace()).isEqualTo(Duration.ofSeconds(20));
        assertThat(config.tls()).isEmpty();
        assertThat(config.configFile()).isEmpty();
        assertThat(config.toString()).contains(APP_ID).doesNotContain(CERT);
    }

    @Test
    void surroundingWhitespaceIsIgnored() {
        ServerConfig config = load("APP_ID", " " + APP_ID + "\n", "APP_CERTIFICATE", CERT + "\n");

        assertThat(config.apps().find(APP_ID).orElseThrow().primary().appCertificate()).isEqualTo(CERT);
    }

    @Test
    void secondaryCertificateFromTheEnvironment() throws IOException {
        Path secondary = write("secrets/old", OLD_CERT + "\n");

        assertThat(load("APP_ID", APP_ID, "APP_CERTIFICATE", CERT, "APP_CERTIFICATE_SECONDARY", OLD_CERT)
                .apps().find(APP_ID).orElseThrow().certificates()).containsExactly(CERT, OLD_CERT);
        assertThat(load("APP_ID", APP_ID, "APP_CERTIFICATE", CERT, "APP_CERTIFICATE_SECONDARY_FILE", secondary.toString())
                .apps().find(APP_ID).orElseThrow().certificates()).containsExactly(CERT, OLD_CERT);
    }

    @Test
    void certificateFromAFileAsDockerAndKubernetesSecretsProvideIt() throws IOException {
        Path secret = write("run/secrets/app_certificate", CERT + "\n");

        ServerConfig config = load("APP_ID", APP_ID, "APP_CERTIFICATE_FILE", secret.toString());

        assertThat(config.apps().find(APP_ID).orElseThrow().primary().appCertificate()).isEqualTo(CERT);
    }

    @Test
    void aRelativeCertificateFileIsResolvedAgainstTheWorkingDirectory() throws IOException {
        write("secret.txt", CERT);

        assertThat(load("APP_ID", APP_ID, "APP_CERTIFICATE_FILE", "secret.txt").apps().size()).isEqualTo(1);
    }

    @Test
    void certificateFileProblemsNameTheFileNotItsContent() throws IOException {
        assertThat(error("APP_ID", APP_ID, "APP_CERTIFICATE_FILE", dir.resolve("missing").toString()))
                .isEqualTo("APP_CERTIFICATE_FILE " + dir.resolve("missing") + ": no such file");
        Path wrong = write("wrong", CERT + "0");
        assertThat(error("APP_ID", APP_ID, "APP_CERTIFICATE_FILE", wrong.toString()))
                .contains("APP_CERTIFICATE_FILE " + wrong).contains("32 hexadecimal characters, got 33");
        Path big = write("big", "x".repeat(10_000));
        assertThat(error("APP_ID", APP_ID, "APP_CERTIFICATE_FILE", big.toString())).contains("10000 bytes");
        assertThat(error("APP_ID", APP_ID, "APP_CERTIFICATE_FILE", dir.toString())).contains("not a regular file");
    }

    @Test
    void certificateAndCertificateFileAreExclusive() throws IOException {
        Path secret = write("secret", CERT);

        assertThat(error("APP_ID", APP_ID, "APP_CERTIFICATE", CERT, "APP_CERTIFICATE_FILE", secret.toString()))
                .isEqualTo("APP_CERTIFICATE and APP_CERTIFICATE_FILE are both set: set one of them");
    }

    @Test
    void appIdWithoutCertificateAndCertificateWithoutAppIdAreErrors() {
        assertThat(error("APP_ID", APP_ID)).startsWith("APP_ID is set, but neither APP_CERTIFICATE nor APP_CERTIFICATE_FILE is");
        assertThat(error("APP_CERTIFICATE", CERT)).startsWith("APP_ID is not set");
    }

    @Test
    void malformedValuesAreNamedButNeverRepeated() {
        assertThat(error("APP_ID", APP_ID, "APP_CERTIFICATE", "abc")).isEqualTo(
                "APP_CERTIFICATE: must be 32 hexadecimal characters, got 3");
        // A certificate pasted into APP_ID by mistake must not end up in the log.
        assertThat(error("APP_ID", CERT + "x", "APP_CERTIFICATE", CERT)).isEqualTo(
                "APP_ID: must be 32 hexadecimal characters, got 33");
        assertThat(error("APP_ID", APP_ID, "APP_CERTIFICATE", CERT.replace('c', 'z'))).isEqualTo(
                "APP_CERTIFICATE: must be 32 hexadecimal characters");
    }

    @Test
    void blankVariablesCountAsUnset() {
        ServerConfig config = load("APP_ID", "", "APP_CERTIFICATE", " ", "GRPC_PORT", "");

        assertThat(config.developmentDefault()).isTrue();
        assertThat(config.grpcPort()).isEqualTo(50051);
    }

    // --- server settings ---

    @Test
    void serverSettingsFromTheEnvironment() throws IOException {
        Path cert = write("tls/tls.crt", "cert");
        Path key = write("tls/tls.key", "key");
        Path ca = write("tls/ca.crt", "ca");

        ServerConfig config = load("APP_ID", APP_ID, "APP_CERTIFICATE", CERT, "GRPC_PORT", "6000",
                "RENEW_GRACE_SECONDS", "60", "SHUTDOWN_GRACE_SECONDS", "5",
                "TLS_CERT_FILE", cert.toString(), "TLS_KEY_FILE", "tls/tls.key", "TLS_CLIENT_CA_FILE", ca.toString());

        assertThat(config.grpcPort()).isEqualTo(6000);
        assertThat(config.renewGrace()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.shutdownGrace()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.tls()).contains(new TlsConfig(cert, key, Optional.of(ca)));
    }

    @Test
    void badServerSettings() throws IOException {
        assertThat(error("GRPC_PORT", "http")).isEqualTo("GRPC_PORT: must be a whole number from 0 to 65535");
        assertThat(error("GRPC_PORT", "70000")).isEqualTo("GRPC_PORT: must be a whole number from 0 to 65535");
        assertThat(error("RENEW_GRACE_SECONDS", "-1")).startsWith("RENEW_GRACE_SECONDS: must be a whole number from 0");
        assertThat(error("SHUTDOWN_GRACE_SECONDS", "1.5")).startsWith("SHUTDOWN_GRACE_SECONDS");
        Path cert = write("tls.crt", "cert");
        assertThat(error("TLS_CERT_FILE", cert.toString())).isEqualTo(
                "TLS_CERT_FILE is set but TLS_KEY_FILE is not: TLS needs both");
        assertThat(error("TLS_KEY_FILE", cert.toString())).isEqualTo(
                "TLS_KEY_FILE is set but TLS_CERT_FILE is not: TLS needs both");
        assertThat(error("TLS_CERT_FILE", cert.toString(), "TLS_KEY_FILE", "nope.key")).isEqualTo(
                "TLS_KEY_FILE " + dir.resolve("nope.key") + ": no such file");
        assertThat(error("TLS_CLIENT_CA_FILE", cert.toString())).startsWith("TLS_CLIENT_CA_FILE is set but TLS is not");
    }

    // --- .env ---

    @Test
    void dotEnvInTheWorkingDirectory() throws IOException {
        write(".env", String.join("\n",
                "# Agora console > project > config",
                "APP_ID=" + APP_ID,
                "export APP_CERTIFICATE=\"" + CERT + "\"",
                "",
                "GRPC_PORT=7000 # comment",
                "RENEW_GRACE_SECONDS='42'"));

        ServerConfig config = load();

        assertThat(config.developmentDefault()).isFalse();
        assertThat(config.apps().find(APP_ID).orElseThrow().primary().appCertificate()).isEqualTo(CERT);
        assertThat(config.grpcPort()).isEqualTo(7000);
        assertThat(config.renewGrace()).isEqualTo(Duration.ofSeconds(42));
    }

    @Test
    void realEnvironmentVariablesWinOverDotEnv() throws IOException {
        write(".env", "APP_ID=" + APP_ID + "\nAPP_CERTIFICATE=" + CERT + "\nGRPC_PORT=7000\n");

        ServerConfig config = load("GRPC_PORT", "8000", "APP_CERTIFICATE", OLD_CERT);

        assertThat(config.grpcPort()).isEqualTo(8000);
        assertThat(config.apps().find(APP_ID).orElseThrow().primary().appCertificate()).isEqualTo(OLD_CERT);
    }

    @Test
    void dotEnvErrorsGiveTheLineAndNeverTheValue() throws IOException {
        write(".env", "APP_ID=" + APP_ID + "\n" + CERT + "\n");
        assertThat(error()).isEqualTo(dir.resolve(".env") + " line 2: expected KEY=value");

        write(".env", "APP_ID=" + APP_ID + "\nAPP_CERTIFICATE=\"" + CERT + "\n");
        assertThat(error()).contains("line 2").contains("not closed");

        write(".env", "APP_ID=" + APP_ID + "\nAPP_CERTIFICATE=" + CERT + "1\n");
        assertThat(error()).isEqualTo("APP_CERTIFICATE (from " + dir.resolve(".env")
                + "): must be 32 hexadecimal characters, got 33");
    }

    // --- YAML ---

    @Test
    void yamlWithSeveralAppsAndASecondaryCertificate() throws IOException {
        write("secrets/other.txt", OTHER_CERT + "\n");
        Path yaml = write("config/token-service.yaml", String.join("\n",
                "apps:",
                "  - appId: " + APP_ID,
                "    primaryCertificate: " + CERT,
                "    secondaryCertificate: " + OLD_CERT,
                "  - appId: \"" + OTHER_APP_ID + "\"",
                "    primaryCertificateFile: ../secrets/other.txt",
                "grpcPort: 9000",
                "renewGraceSeconds: 120",
                "shutdownGraceSeconds: 3",
                "security:",
                "  callers: {}   # read by the caller-security code, skipped here",
                ""));

        ServerConfig config = load("TOKEN_SERVICE_CONFIG", yaml.toString());

        assertThat(config.apps().appIds()).containsExactly(APP_ID, OTHER_APP_ID);
        assertThat(config.apps().find(APP_ID).orElseThrow().certificates()).containsExactly(CERT, OLD_CERT);
        assertThat(config.apps().find(OTHER_APP_ID).orElseThrow().certificates()).containsExactly(OTHER_CERT);
        assertThat(config.grpcPort()).isEqualTo(9000);
        assertThat(config.renewGrace()).isEqualTo(Duration.ofSeconds(120));
        assertThat(config.shutdownGrace()).isEqualTo(Duration.ofSeconds(3));
        assertThat(config.configFile()).contains(yaml);
        assertThat(config.developmentDefault()).isFalse();
    }

    @Test
    void yamlKeepsAllDigitAppIdsAndCertificatesAsWritten() throws IOException {
        String digits = "01234567890123456789012345678901";
        Path yaml = write("c.yaml", "apps:\n  - appId: " + digits + "\n    primaryCertificate: " + digits.replace('0', '1') + "\n");

        assertThat(load("TOKEN_SERVICE_CONFIG", yaml.toString()).apps().appIds()).containsExactly(digits);
    }

    @Test
    void environmentVariablesOverrideYamlSettings() throws IOException {
        Path yaml = write("c.yaml", "apps:\n  - appId: " + APP_ID + "\n    primaryCertificate: " + CERT
                + "\ngrpcPort: 9000\ntls:\n  certFile: a.crt\n  keyFile: a.key\n");
        write("a.crt", "c");
        write("a.key", "k");

        ServerConfig config = load("TOKEN_SERVICE_CONFIG", "c.yaml", "GRPC_PORT", "9001");

        assertThat(config.grpcPort()).isEqualTo(9001);
        assertThat(config.tls().orElseThrow().certificateChain()).isEqualTo(dir.resolve("a.crt"));
    }

    @Test
    void yamlErrorsNameThePathAndLineButNoValue() throws IOException {
        Path yaml = dir.resolve("c.yaml");
        String prefix = "TOKEN_SERVICE_CONFIG " + yaml + ": ";

        write("c.yaml", "apps:\n  - appId: " + APP_ID + "\n    primaryCertificate: " + CERT + "0\n");
        assertThat(error("TOKEN_SERVICE_CONFIG", yaml.toString())).isEqualTo(prefix
                + "apps[0].primaryCertificate (line 3): must be 32 hexadecimal characters, got 33");

        write("c.yaml", "apps:\n  - appId: " + APP_ID + "\n    primaryCertficate: " + CERT + "\n");
        assertThat(error("TOKEN_SERVICE_CONFIG", yaml.toString())).startsWith(prefix
                + "apps[0].primaryCertficate (line 3): unknown key");

        write("c.yaml", "apps:\n  - appId: " + APP_ID + "\n");
        assertThat(error("TOKEN_SERVICE_CONFIG", yaml.toString())).isEqualTo(prefix
                + "apps[0].primaryCertificate (line 2): is required (or primaryCertificateFile)");

        write("c.yaml", "apps: []\n");
        assertThat(error("TOKEN_SERVICE_CONFIG", yaml.toString())).isEqualTo(prefix + "apps (line 1): must list at least one app");

        write("c.yaml", "grpcPort: 1\n");
        assertThat(error("TOKEN_SERVICE_CONFIG", yaml.toString())).contains("apps").contains("is required");

        write("c.yaml", "apps:\n  - appId: " + APP_ID + "\n    primaryCertificate: " + CERT
                + "\n  - appId: " + APP_ID + "\n    primaryCertificate: " + OLD_CERT + "\n");
        assertThat(error("TOKEN_SERVICE_CONFIG", yaml.toString())).contains("apps[1].appId").contains("listed twice");

        write("c.yaml", "apps:\n  - appId: " + APP_ID + "\n    primaryCertificate: " + CERT
                + "\n    primaryCertificateFile: x\n");
        assertThat(error("TOKEN_SERVICE_CONFIG", yaml.toString())).contains("not both");

        write("c.yaml", "apps:\n  - appId: " + APP_ID + "\n    primaryCertificate: [" + CERT + "\n");
        assertThat(error("TOKEN_SERVICE_CONFIG", yaml.toString())).startsWith(prefix + "not valid YAML at line");

        write("c.yaml", "apps:\n  - appId: " + APP_ID + "\n    primaryCertificate: " + CERT + "\ngrpcPort: x\n");
        assertThat(error("TOKEN_SERVICE_CONFIG", yaml.toString())).contains("grpcPort: must be a whole number");

        assertThat(error("TOKEN_SERVICE_CONFIG", "missing.yaml")).isEqualTo(
                "TOKEN_SERVICE_CONFIG " + dir.resolve("missing.yaml") + ": no such file");
    }

    @Test
    void yamlAndSingleAppVariablesAreExclusive() throws IOException {
        Path yaml = write("c.yaml", "apps:\n  - appId: " + APP_ID + "\n    primaryCertificate: " + CERT + "\n");

        assertThat(error("TOKEN_SERVICE_CONFIG", yaml.toString(), "APP_ID", APP_ID)).contains("not both");
    }

    // --- development default ---

    @Test
    void withNoConfigurationAtAllAThrowAwayAppIsGenerated() {
        ServerConfig first = load();
        ServerConfig second = load();

        assertThat(first.developmentDefault()).isTrue();
        assertThat(first.apps().size()).isEqualTo(1);
        AppKeys app = first.apps().only().orElseThrow();
        assertThat(app.appId()).matches("[0-9a-f]{32}");
        assertThat(app.primary().appCertificate()).matches("[0-9a-f]{32}").isNotEqualTo(app.appId());
        assertThat(second.apps().appIds()).doesNotContainAnyElementsOf(first.apps().appIds());
        assertThat(first.toString()).doesNotContain(app.primary().appCertificate());
    }

    @Test
    void serverSettingsStillApplyInDevelopmentMode() {
        assertThat(load("GRPC_PORT", "0").grpcPort()).isZero();
    }
}
