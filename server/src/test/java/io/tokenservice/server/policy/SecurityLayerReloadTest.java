package io.tokenservice.server.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tokenservice.server.access.Caller;
import io.tokenservice.server.auth.ApiKeyRegistry;
import io.tokenservice.server.testing.LogCapture;
import io.tokenservice.server.testing.TestSecrets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reloading the security configuration from the YAML file. */
class SecurityLayerReloadTest {
    private static final String KEY = TestSecrets.register("tsk_reload_test_key_000000001");
    private static final String APP_CERTIFICATE = TestSecrets.register("fedcba9876543210fedcba9876543210");

    @TempDir
    Path dir;

    private String file(String channels) {
        return """
                apps:
                  - appId: 0123456789abcdef0123456789abcdef
                    primaryCertificate: %s
                security:
                  callers:
                    web:
                      api_keys: ["%s"]
                      apps: ["*"]
                      services: [rtc]
                      channels: [%s]
                      roles: [subscriber]
                  deny_list: {path: deny.txt}
                """.formatted(APP_CERTIFICATE, ApiKeyRegistry.configHash(KEY), channels);
    }

    private void write(Path file, String content) throws Exception {
        Path tmp = Files.createTempFile(dir, "cfg", ".tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void loadReloadAndKeepOnErrors() throws Exception {
        Path config = dir.resolve("config.yaml");
        write(config, file("\"team-*\""));
        Files.writeString(dir.resolve("deny.txt"), "channel:team-x\n");
        SecurityConfig initial = SecurityConfig.load(Optional.of(config), Map.of(), true, new SecureRandom(),
                line -> { throw new AssertionError("no development key with a security section"); });
        assertThat(initial.denyList()).contains(dir.toAbsolutePath().resolve("deny.txt"));

        try (SecurityLayer layer = SecurityLayer.start(initial, e -> {}); LogCapture logs = LogCapture.all()) {
            assertThat(layer.denyListGate().current().deniesChannel("team-x")).isTrue();
            assertThat(layer.policyGate().policyOf("web").orElseThrow().channels()).hasToString("[team-*]");

            write(config, file("\"lobby\""));
            assertThat(layer.reloadFrom(config, Map.of())).isTrue();
            assertThat(layer.policyGate().policyOf("web").orElseThrow().channels()).hasToString("[lobby]");

            write(config, file("\"lobby\"") + "\n  oops: [unclosed\n");
            assertThat(layer.reloadFrom(config, Map.of())).isFalse();
            write(config, file("\"lobby\"").replace("roles:", "rolez:"));
            assertThat(layer.reloadFrom(config, Map.of())).isFalse();
            Files.delete(config);
            assertThat(layer.reloadFrom(config, Map.of())).isFalse();
            assertThat(layer.policyGate().policyOf("web").orElseThrow().channels()).hasToString("[lobby]");
            assertThat(layer.authenticator().current().apiKeys().authenticate(KEY)).isPresent();

            List<String> warnings = logs.lines().stream().filter(l -> l.contains("not reloaded")).toList();
            assertThat(warnings).hasSize(3);
            assertThat(warnings.get(0)).contains("not valid YAML at line");
            assertThat(warnings.get(1)).contains("security.callers.web.rolez: unknown setting");
            assertThat(warnings.get(2)).contains("file not found");
            assertThat(logs.linesContaining(APP_CERTIFICATE)).isEmpty();
            assertThat(logs.linesContaining(KEY)).isEmpty();
        }
    }

    @Test
    void watchingPicksUpChanges() throws Exception {
        Path config = dir.resolve("config.yaml");
        write(config, file("\"team-*\""));
        Files.writeString(dir.resolve("deny.txt"), "");
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try (SecurityLayer layer = SecurityLayer.start(SecurityConfig.load(Optional.of(config), Map.of(), false,
                new SecureRandom(), l -> {}), e -> {}, Clock.systemUTC(), System::nanoTime, scheduler)) {
            layer.watchConfigFile(config, Map.of(), Duration.ofMillis(20));
            write(config, file("\"changed-*\""));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!layer.policyGate().policyOf("web").orElseThrow().channels().toString().equals("[changed-*]")) {
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.sleep(10);
            }
        } finally {
            scheduler.shutdownNow();
        }
    }

    @Test
    void theDevelopmentKeySurvivesAReloadOfAFileWithoutSecuritySection() throws Exception {
        Path config = dir.resolve("config.yaml");
        write(config, "apps: []\n");
        List<String> announced = new ArrayList<>();
        SecurityConfig dev = SecurityConfig.load(Optional.of(config), Map.of(), true, new SecureRandom(),
                announced::add);
        assertThat(announced).hasSize(1);
        try (SecurityLayer layer = SecurityLayer.start(dev, e -> {})) {
            assertThat(layer.reloadFrom(config, Map.of())).isFalse();
            assertThat(layer.config()).isSameAs(dev);
            assertThat(announced).hasSize(1);
            assertThat(layer.maxTtlSeconds(new Caller(SecurityConfig.DEVELOPMENT_CALLER, Caller.AuthMethod.API_KEY)))
                    .hasValue(io.tokenservice.core.issue.TokenLimits.AGORA_MAX_TTL_SECONDS);
        }
    }

    @Test
    void aMissingDenyListFailsStartup() {
        SecurityConfig c = new SecurityConfig(ApiKeyRegistry.empty(),
                io.tokenservice.server.auth.ClientCertificateMapping.empty(), Map.of(), Map.of(),
                io.tokenservice.server.ratelimit.RateLimit.DEFAULT, Optional.of(dir.resolve("missing.txt")),
                Duration.ofSeconds(1));
        assertThatThrownBy(() -> SecurityLayer.start(c, e -> {})).isInstanceOf(java.io.IOException.class);
    }
}
