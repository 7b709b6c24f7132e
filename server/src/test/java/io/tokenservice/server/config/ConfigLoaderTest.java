package io.tokenservice.server.config;

import static io.tokenservice.server.testing.TestApps.APP_ID;
import static io.tokenservice.server.testing.TestApps.CERT;
import static io.tokenservice.server.testing.TestApps.OLD_CERT;
import static io.tokenservice.server.testing.TestApps.OTHER_APP_ID;
import static io.tokenservice.server.testing.TestApps.OTHER_CERT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tokenservice.server.testing.TestSecrets;
import io.tokenservice.server.access.ServiceKind;
import io.tokenservice.server.policy.CallerPolicy;
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

/**
 * ConfigLoader: environment, .env, certificate files, the YAML file, development mode, and the whole-file rules
 * (snake_case keys with the deprecated camelCase ones, errors with path and line). The caller security section
 * has its own test ({@code SecuritySectionTest}).
 */
class ConfigLoaderTest {
    private static final String KEY = TestSecrets.register("tsk_config_loader_test_key_0001");

    @TempDir
    Path dir;

    /** Loads {@code keyValues} plus a quick-start key for caller web (unless given). */
    private Configuration load(String... keyValues) {
        return ConfigLoader.of(env(keyValues), dir).load();
    }

    private static Map<String, String> env(String... keyValues) {
        Map<String, String> env = new HashMap<>();
        env.put("TOKEN_SERVICE_API_KEYS", "web=" + KEY);
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
        Configuration config = load("APP_ID", APP_ID, "APP_CERTIFICATE", CERT);

        assertThat(config.development()).isFalse();
        assertThat(config.apps().size()).isEqualTo(1);
        AppKeys app = config.apps().find(APP_ID).orElseThrow();
        assertThat(app.primary().appCertificate()).isEqualTo(CERT);
        assertThat(app.secondaryCertificate()).isEmpty();
        assertThat(config.server().grpcPort()).isEqualTo(50051);
        assertThat(config.server().renewGrace()).isEqualTo(Duration.ofSeconds(300));
        assertThat(config.server().shutdownGrace()).isEqualTo(Duration.ofSeconds(20));
        assertThat(config.tls()).isEmpty();
        assertThat(config.file()).isEmpty();
        assertThat(config.toString()).contains(APP_ID).doesNotContain(CERT);
    }

    @Test
    void surroundingWhitespaceIsIgnored() {
        Configuration config = load("APP_ID", " " + APP_ID + "\n", "APP_CERTIFICATE", CERT + "\n");

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

        Configuration config = load("APP_ID", APP_ID, "APP_CERTIFICATE_FILE", secret.toString());

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
        Configuration config = load("APP_ID", "", "APP_CERTIFICATE", " ", "GRPC_PORT", "");

        assertThat(config.development()).isTrue();
        assertThat(config.server().grpcPort()).isEqualTo(50051);
    }

    // --- server settings ---

    @Test
    void serverSettingsFromTheEnvironment() throws IOException {
        Path cert = write("tls/tls.crt", "cert");
        Path key = write("tls/tls.key", "key");
        Path ca = write("tls/ca.crt", "ca");

        Configuration config = load("APP_ID", APP_ID, "APP_CERTIFICATE", CERT, "GRPC_PORT", "6000",
                "RENEW_GRACE_SECONDS", "60", "SHUTDOWN_GRACE_SECONDS", "5",
                "TLS_CERT_FILE", cert.toString(), "TLS_KEY_FILE", "tls/tls.key", "TLS_CLIENT_CA_FILE", ca.toString());

        assertThat(config.server().grpcPort()).isEqualTo(6000);
        assertThat(config.server().renewGrace()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.server().shutdownGrace()).isEqualTo(Duration.ofSeconds(5));
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
        assertThat(error("RENEW_GRACE_SECONDS", "86401")).isEqualTo(
                "RENEW_GRACE_SECONDS: must be a whole number from 0 to 86400");
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

        Configuration config = load();

        assertThat(config.development()).isFalse();
        assertThat(config.apps().find(APP_ID).orElseThrow().primary().appCertificate()).isEqualTo(CERT);
        assertThat(config.server().grpcPort()).isEqualTo(7000);
        assertThat(config.server().renewGrace()).isEqualTo(Duration.ofSeconds(42));
    }

    @Test
    void realEnvironmentVariablesWinOverDotEnv() throws IOException {
        write(".env", "APP_ID=" + APP_ID + "\nAPP_CERTIFICATE=" + CERT + "\nGRPC_PORT=7000\n");

        Configuration config = load("GRPC_PORT", "8000", "APP_CERTIFICATE", OLD_CERT);

        assertThat(config.server().grpcPort()).isEqualTo(8000);
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
                "  - app_id: " + APP_ID,
                "    primary_certificate: " + CERT,
                "    secondary_certificate: " + OLD_CERT,
                "  - app_id: \"" + OTHER_APP_ID + "\"",
                "    primary_certificate_file: ../secrets/other.txt",
                "grpc_port: 9000",
                "renew_grace_seconds: 120",
                "shutdown_grace_seconds: 3",
                "security:",
                "  callers:",
                "    web: {apps: [\"*\"]}",
                ""));

        Configuration config = load("TOKEN_SERVICE_CONFIG", yaml.toString());

        assertThat(config.apps().appIds()).containsExactly(APP_ID, OTHER_APP_ID);
        assertThat(config.apps().find(APP_ID).orElseThrow().certificates()).containsExactly(CERT, OLD_CERT);
        assertThat(config.apps().find(OTHER_APP_ID).orElseThrow().certificates()).containsExactly(OTHER_CERT);
        assertThat(config.server()).isEqualTo(new ServerSettings(9000, Duration.ofSeconds(120), Duration.ofSeconds(3)));
        assertThat(config.file()).contains(yaml);
        assertThat(config.development()).isFalse();
        assertThat(config.warnings()).isEmpty();
        assertThat(config.toString()).contains(APP_ID + " (+ secondary certificate), " + OTHER_APP_ID)
                .contains("callers [web]").doesNotContain(CERT).doesNotContain(OLD_CERT).doesNotContain(OTHER_CERT);
    }

    @Test
    void yamlKeepsAllDigitAppIdsAndCertificatesAsWritten() throws IOException {
        String digits = "01234567890123456789012345678901";
        Path yaml = write("c.yaml", "apps:\n  - app_id: " + digits + "\n    primary_certificate: " + digits.replace('0', '1') + "\n");

        assertThat(load("TOKEN_SERVICE_CONFIG", yaml.toString()).apps().appIds()).containsExactly(digits);
    }

    @Test
    void environmentVariablesOverrideYamlSettings() throws IOException {
        Path yaml = write("c.yaml", "apps:\n  - app_id: " + APP_ID + "\n    primary_certificate: " + CERT
                + "\ngrpc_port: 9000\ntls:\n  cert_file: a.crt\n  key_file: a.key\n");
        write("a.crt", "c");
        write("a.key", "k");
        write("b.crt", "c");

        Configuration config = load("TOKEN_SERVICE_CONFIG", "c.yaml", "GRPC_PORT", "9001", "TLS_CERT_FILE", "b.crt");

        assertThat(config.server().grpcPort()).isEqualTo(9001);
        assertThat(config.tls().orElseThrow()).isEqualTo(new TlsConfig(dir.resolve("b.crt"), dir.resolve("a.key"),
                Optional.empty()));
    }

    @Test
    void theCamelCaseKeysOfEarlierReleasesStillWorkWithOneWarningPerKey() throws IOException {
        Path yaml = write("c.yaml", String.join("\n",
                "apps:",
                "  - appId: " + APP_ID,
                "    primaryCertificate: " + CERT,
                "  - appId: " + OTHER_APP_ID,
                "    primaryCertificate: " + OTHER_CERT,
                "grpcPort: 9000",
                "renewGraceSeconds: 60",
                "shutdownGraceSeconds: 2",
                "tls: {certFile: a.crt, keyFile: a.key, clientCaFile: ca.crt}",
                ""));
        write("a.crt", "c");
        write("a.key", "k");
        write("ca.crt", "ca");
        ConfigLoader loader = ConfigLoader.of(env("TOKEN_SERVICE_CONFIG", yaml.toString()), dir);

        Configuration config = loader.load();

        assertThat(config.apps().appIds()).containsExactly(APP_ID, OTHER_APP_ID);
        assertThat(config.server()).isEqualTo(new ServerSettings(9000, Duration.ofSeconds(60), Duration.ofSeconds(2)));
        assertThat(config.tls().orElseThrow().clientCa()).contains(dir.resolve("ca.crt"));
        assertThat(config.warnings()).hasSize(8).allSatisfy(w -> assertThat(w).startsWith("TOKEN_SERVICE_CONFIG " + yaml
                + ": ").contains(" is deprecated: write ")).contains("TOKEN_SERVICE_CONFIG " + yaml
                + ": appId (line 2) is deprecated: write app_id (camelCase keys will stop working in a later release)")
                .anySatisfy(w -> assertThat(w).contains("clientCaFile (line 9) is deprecated: write client_ca_file"));
        assertThat(loader.load().warnings()).as("again at the next load").hasSize(8);
    }

    @Test
    void aKeyAndItsOldSpellingTogetherAreAnError() throws IOException {
        Path yaml = write("c.yaml", "apps:\n  - app_id: " + APP_ID + "\n    primary_certificate: " + CERT
                + "\n    appId: " + APP_ID + "\n");

        assertThat(error("TOKEN_SERVICE_CONFIG", yaml.toString())).isEqualTo("TOKEN_SERVICE_CONFIG " + yaml
                + ": apps[0].appId (line 4): repeats app_id: they are the same setting, keep one");
    }

    @Test
    void onlyTheDocumentedOldSpellingsAreAccepted() throws IOException {
        Path yaml = write("c.yaml", "apps:\n  - app_id: " + APP_ID + "\n    primary_certificate: " + CERT
                + "\nsecurity:\n  callers:\n    web: {maxTtlSeconds: 60}\n");

        assertThat(error("TOKEN_SERVICE_CONFIG", yaml.toString())).startsWith("TOKEN_SERVICE_CONFIG " + yaml
                + ": security.callers.web.maxTtlSeconds (line 6): unknown key; expected one of [allow_apaas_app_token, allow_chat_app_token,");
    }

    @Test
    void yamlErrorsNameThePathAndLineButNoValue() throws IOException {
        Path yaml = dir.resolve("c.yaml");
        String prefix = "TOKEN_SERVICE_CONFIG " + yaml + ": ";

        write("c.yaml", "apps:\n  - app_id: " + APP_ID + "\n    primary_certificate: " + CERT + "0\n");
        assertThat(error("TOKEN_SERVICE_CONFIG", yaml.toString())).isEqualTo(prefix
                + "apps[0].primary_certificate (line 3): must be 32 hexadecimal characters, got 33");

        write("c.yaml", "apps:\n  - app_id: " + APP_ID + "\n    primary_certficate: " + CERT + "\n");
        assertThat(error("TOKEN_SERVICE_CONFIG", yaml.toString())).isEqualTo(prefix
                + "apps[0].primary_certficate (line 3): unknown key; expected one of [app_id, primary_certificate, "
                + "primary_certificate_file, secondary_certificate, secondary_certificate_file]");

        write("c.yaml", "apps:\n  - app_id: " + APP_ID + "\n");
        assertThat(error("TOKEN_SERVICE_CONFIG", yaml.toString())).isEqualTo(prefix
                + "apps[0].primary_certificate (line 2): is required (or primary_certificate_file)");

        write("c.yaml", "apps: []\n");
        assertThat(error("TOKEN_SERVICE_CONFIG", yaml.toString())).isEqualTo(prefix + "apps (line 1): must list at least one app");

        write("c.yaml", "grpc_port: 1\n");
        assertThat(error("TOKEN_SERVICE_CONFIG", yaml.toString())).isEqualTo(prefix
                + "apps (line 1): is required: list each app with app_id and primary_certificate");

        write("c.yaml", "");
        assertThat(error("TOKEN_SERVICE_CONFIG", yaml.toString())).isEqualTo(prefix
                + "the file is empty (it needs at least the apps list)");

        write("c.yaml", "apps:\n  - app_id: " + APP_ID + "\n    primary_certificate: " + CERT
                + "\n  - app_id: " + APP_ID + "\n    primary_certificate: " + OLD_CERT + "\n");
        assertThat(error("TOKEN_SERVICE_CONFIG", yaml.toString())).isEqualTo(prefix
                + "apps[1].app_id (line 4): app " + APP_ID + " is listed twice");

        write("c.yaml", "apps:\n  - app_id: " + APP_ID + "\n    primary_certificate: " + CERT
                + "\n    primary_certificate_file: x\n");
        assertThat(error("TOKEN_SERVICE_CONFIG", yaml.toString())).contains("not both");

        write("c.yaml", "apps:\n  - app_id: " + APP_ID + "\n    primary_certificate_file: missing.txt\n");
        assertThat(error("TOKEN_SERVICE_CONFIG", yaml.toString())).isEqualTo(prefix
                + "apps[0].primary_certificate_file (line 3): " + dir.resolve("missing.txt") + ": no such file");

        write("c.yaml", "apps:\n  - app_id: " + APP_ID + "\n    primary_certificate: [" + CERT + "\n");
        assertThat(error("TOKEN_SERVICE_CONFIG", yaml.toString())).startsWith(prefix + "not valid YAML at line");

        write("c.yaml", "apps:\n  - app_id: " + APP_ID + "\n    primary_certificate: {a: b}\n");
        assertThat(error("TOKEN_SERVICE_CONFIG", yaml.toString())).isEqualTo(prefix
                + "apps[0].primary_certificate (line 3): must be a single value");

        write("c.yaml", "apps:\n  - app_id: " + APP_ID + "\n    primary_certificate: " + CERT + "\ngrpc_port: x\n");
        assertThat(error("TOKEN_SERVICE_CONFIG", yaml.toString())).isEqualTo(prefix
                + "grpc_port (line 4): must be a whole number from 0 to 65535");

        write("c.yaml", "apps:\n  - app_id: " + APP_ID + "\n    primary_certificate: " + CERT + "\nsecurty:\n  callers: {}\n");
        assertThat(error("TOKEN_SERVICE_CONFIG", yaml.toString())).isEqualTo(prefix
                + "securty (line 4): unknown key; expected one of [admin, apps, grpc_port, logging, redis, "
                + "renew_grace_seconds, security, shutdown_grace_seconds, tls, transport]");

        write("c.yaml", "- apps\n");
        assertThat(error("TOKEN_SERVICE_CONFIG", yaml.toString())).isEqualTo(prefix + "must be a mapping (key: value lines)");

        write("c.yaml", "apps:\n  - app_id: " + APP_ID + "\n    primary_certificate: " + CERT
                + "\ntls:\n  cert_file: a.crt\n");
        assertThat(error("TOKEN_SERVICE_CONFIG", yaml.toString())).isEqualTo(
                "tls.cert_file is set but TLS_KEY_FILE (or tls.key_file) is not: TLS needs both");

        assertThat(error("TOKEN_SERVICE_CONFIG", "missing.yaml")).isEqualTo(
                "TOKEN_SERVICE_CONFIG " + dir.resolve("missing.yaml") + ": no such file");
    }

    @Test
    void yamlAndSingleAppVariablesAreExclusive() throws IOException {
        Path yaml = write("c.yaml", "apps:\n  - app_id: " + APP_ID + "\n    primary_certificate: " + CERT + "\n");

        assertThat(error("TOKEN_SERVICE_CONFIG", yaml.toString(), "APP_ID", APP_ID)).contains("not both");
    }

    // --- caller credentials ---

    @Test
    void aRealAppWithoutAnyCallerCredentialIsRefused() throws IOException {
        Map<String, String> env = new HashMap<>(Map.of("APP_ID", APP_ID, "APP_CERTIFICATE", CERT));
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.of(env, dir).load());
        assertThat(e.getMessage()).startsWith("no caller credentials configured: set TOKEN_SERVICE_API_KEYS");

        Path yaml = write("c.yaml", "apps:\n  - app_id: " + APP_ID + "\n    primary_certificate: " + CERT
                + "\nsecurity:\n  callers: {}\n");
        e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.of(Map.of("TOKEN_SERVICE_CONFIG", yaml.toString()), dir).load());
        assertThat(e.getMessage()).contains("give callers api_keys or client_certificates in the security section of "
                + yaml);
    }

    // --- development mode ---

    @Test
    void withNoConfigurationAtAllAThrowAwayAppIsGenerated() {
        Configuration first = load();
        Configuration second = load();

        assertThat(first.development()).isTrue();
        assertThat(first.apps().size()).isEqualTo(1);
        AppKeys app = first.apps().only().orElseThrow();
        assertThat(app.appId()).matches("[0-9a-f]{32}");
        assertThat(app.primary().appCertificate()).matches("[0-9a-f]{32}").isNotEqualTo(app.appId());
        assertThat(second.apps().appIds()).doesNotContainAnyElementsOf(first.apps().appIds());
        assertThat(first.toString()).doesNotContain(app.primary().appCertificate());
        assertThat(first.security().policies()).containsOnlyKeys("web");
        assertThat(first.security().policies().get("web")).as("a configured key keeps the quick start")
                .isEqualTo(CallerPolicy.quickStart());
    }

    @Test
    void withoutKeysDevelopmentMakesUpOneForCallerDevOnceAndEveryLoadSeesTheSame() {
        ConfigLoader loader = ConfigLoader.of(Map.of(), dir);
        assertThat(loader.developmentKey()).isEmpty();

        Configuration first = loader.load();
        String key = loader.developmentKey().orElseThrow();
        Configuration again = loader.load();

        assertThat(key).startsWith("tsk_").hasSize(47);
        assertThat(first.security().apiKeys().authenticate(key)).map(c -> c.name()).contains(ConfigLoader.DEVELOPMENT_CALLER);
        assertThat(again.security().apiKeys().authenticate(key)).as("the same key after a reload").isPresent();
        assertThat(again.apps()).as("the same app after a reload").isEqualTo(first.apps());
        assertThat(loader.developmentKey()).contains(key);
        assertThat(first.toString()).doesNotContain(key);
        CallerPolicy dev = first.security().policies().get(ConfigLoader.DEVELOPMENT_CALLER);
        assertThat(dev).as("the made-up caller may try everything").isEqualTo(CallerPolicy.development());
        assertThat(dev.allowWildcard()).isTrue();
        assertThat(dev.allowChatAppToken()).isTrue();
        assertThat(dev.services()).containsExactlyInAnyOrder(ServiceKind.values());
        assertThat(ConfigLoader.of(Map.of(), dir).load().apps()).as("another process, another app").isNotEqualTo(first.apps());
    }

    @Test
    void anyAppVariableEndsDevelopmentMode() {
        assertThat(error("APP_CERTIFICATE_SECONDARY", OLD_CERT)).startsWith("APP_ID is not set");
    }

    @Test
    void serverSettingsStillApplyInDevelopmentMode() {
        assertThat(load("GRPC_PORT", "0").server().grpcPort()).isZero();
    }

    @Test
    void theEnvironmentIsReadOnceWhenTheLoaderIsMade() throws IOException {
        write(".env", "GRPC_PORT=7000\n");
        ConfigLoader loader = ConfigLoader.of(env(), dir);
        write(".env", "GRPC_PORT=8000\n");

        assertThat(loader.load().server().grpcPort()).isEqualTo(7000);
    }
}
