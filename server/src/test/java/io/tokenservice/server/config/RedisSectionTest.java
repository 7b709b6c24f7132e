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
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code redis:} and {@code TOKEN_SERVICE_REDIS_*}: the URL's parts, the password's sources, validation at load. */
class RedisSectionTest {
    private static final String PASSWORD = TestSecrets.register("s3cret-redis-pa55word");
    private static final String KEY = TestSecrets.register("tsk_redis_section_key_0123456789");

    @TempDir
    Path dir;

    /** Loads a file with one app and {@code yaml} (more top-level keys), plus the variables {@code env}. */
    private Configuration load(String yaml, String... env) throws IOException {
        Path file = Files.writeString(dir.resolve("token-service.yaml"),
                "apps:\n  - app_id: " + APP_ID + "\n    primary_certificate: " + CERT + "\n" + yaml);
        Map<String, String> variables = new HashMap<>(Map.of("TOKEN_SERVICE_CONFIG", file.toString(),
                EnvironmentVariables.TOKEN_SERVICE_API_KEYS, "web=" + KEY));
        for (int i = 0; i < env.length; i += 2) {
            variables.put(env[i], env[i + 1]);
        }
        return ConfigLoader.of(variables, dir).load();
    }

    private RedisSettings redis(String url) throws IOException {
        return load("", EnvironmentVariables.TOKEN_SERVICE_REDIS_URL, url).redis().orElseThrow();
    }

    private String error(String yaml, String... env) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(yaml, env));
        assertThat(e).as("configuration should be refused").isNotNull();
        assertThat(e.getMessage()).doesNotContain(PASSWORD).doesNotContain("\n");
        return e.getMessage();
    }

    @Test
    void unsetMeansPerReplicaLimits() throws IOException {
        assertThat(load("").redis()).isEmpty();
        assertThat(load("").toString()).contains("rate limits per replica");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "redis://redis:6379           | false | redis     | 6379  | 0  | ",
            "redis://redis                | false | redis     | 6379  | 0  | ",
            "rediss://cache.internal:6380/3 | true | cache.internal | 6380 | 3 | ",
            "REDIS://10.0.0.7:7000/       | false | 10.0.0.7  | 7000  | 0  | ",
            "redis://[::1]:6379           | false | ::1       | 6379  | 0  | ",
            "redis://project_redis_1:6379 | false | project_redis_1 | 6379 | 0 | ",
            "redis://app:pw@redis:6379    | false | redis     | 6379  | 0  | app",
    })
    void urlParts(String url, boolean tls, String host, int port, int database, String user) throws IOException {
        RedisSettings r = redis(url);
        assertThat(r.tls()).isEqualTo(tls);
        assertThat(r.host()).isEqualTo(host);
        assertThat(r.port()).isEqualTo(port);
        assertThat(r.database()).isEqualTo(database);
        assertThat(r.username()).isEqualTo(Optional.ofNullable(user));
        assertThat(r.timeout()).isEqualTo(RedisSettings.DEFAULT_TIMEOUT);
    }

    @Test
    void passwordInTheUrlIsDecodedAndNeverShown() throws IOException {
        RedisSettings r = redis("redis://:" + PASSWORD.replace("-", "%2D") + "@redis:6379");
        assertThat(r.password()).contains(PASSWORD);
        assertThat(r.username()).isEmpty();
        assertThat(redis("redis://" + PASSWORD + "@redis").password()).as("password alone").contains(PASSWORD);
        assertThat(redis("redis://a%2Bb+c%40d@redis").password()).contains("a+b+c@d");
        assertThat(r.toString()).isEqualTo("redis://redis:6379 with a password, timeout 50 ms")
                .doesNotContain(PASSWORD);
        assertThat(load("", EnvironmentVariables.TOKEN_SERVICE_REDIS_URL, "redis://:" + PASSWORD + "@redis").toString())
                .contains("rate limits shared in redis://redis:6379 with a password").doesNotContain(PASSWORD);
    }

    @Test
    void yamlKeysAndTheVariablesThatWin() throws IOException {
        Path passwordFile = Files.writeString(dir.resolve("redis-password"), PASSWORD + "\n");
        String yaml = """
                redis:
                  url: redis://from-file:6379/1
                  password_file: redis-password
                  timeout_ms: 120
                """;
        RedisSettings fromFile = load(yaml).redis().orElseThrow();
        assertThat(fromFile.host()).isEqualTo("from-file");
        assertThat(fromFile.database()).isEqualTo(1);
        assertThat(fromFile.password()).contains(PASSWORD);
        assertThat(fromFile.timeout()).isEqualTo(Duration.ofMillis(120));

        RedisSettings overridden = load(yaml, EnvironmentVariables.TOKEN_SERVICE_REDIS_URL, "redis://from-env",
                EnvironmentVariables.TOKEN_SERVICE_REDIS_TIMEOUT_MS, "30").redis().orElseThrow();
        assertThat(overridden.host()).isEqualTo("from-env");
        assertThat(overridden.password()).as("password file still from the YAML").contains(PASSWORD);
        assertThat(overridden.timeout()).isEqualTo(Duration.ofMillis(30));
        assertThat(passwordFile).exists();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "http://redis:6379            | the scheme must be redis or rediss, not 'http'",
            "redis:6379                   | is not a Redis URL",
            "redis://                     | needs a host name or address",
            "redis://:6379                | needs a host name or address",
            "redis://re dis:6379          | needs a host name or address",
            "redis://redis:0              | the port must be a number from 1 to 65535",
            "redis://redis:65536          | the port must be a number from 1 to 65535",
            "redis://redis:port           | the port must be a number from 1 to 65535",
            "redis://redis:               | the port must be a number from 1 to 65535",
            "redis://redis/db             | the path must be a database number",
            "redis://redis?timeout=5      | query parameters and fragments are not supported",
            "redis://@redis               | has '@' but no password before it",
            "redis://:%zz@redis           | a '%' that is not followed by two hex digits",
    })
    void badUrlsAreRefusedAtLoadNamingThePart(String url, String problem) {
        assertThat(error("", EnvironmentVariables.TOKEN_SERVICE_REDIS_URL, url))
                .startsWith("TOKEN_SERVICE_REDIS_URL").contains(problem);
    }

    @Test
    void errorsNeverRepeatTheUrlAndItsPassword() {
        assertThat(error("", EnvironmentVariables.TOKEN_SERVICE_REDIS_URL, "redis://:" + PASSWORD + "@redis:99999"))
                .contains("the port must be").doesNotContain(PASSWORD);
        assertThat(error("", EnvironmentVariables.TOKEN_SERVICE_REDIS_URL, "ftp://:" + PASSWORD + "@redis"))
                .doesNotContain(PASSWORD);
        assertThat(error("redis:\n  url: \"redis://:" + PASSWORD + "@redis:x\"\n"))
                .contains("redis.url").contains("the port must be").doesNotContain(PASSWORD);
    }

    @Test
    void passwordInOnePlaceOnlyAndFilesThatMustExist() throws IOException {
        Files.writeString(dir.resolve("redis-password"), PASSWORD);
        Files.writeString(dir.resolve("empty-password"), "\n");
        assertThat(error("", EnvironmentVariables.TOKEN_SERVICE_REDIS_URL, "redis://:" + PASSWORD + "@redis",
                EnvironmentVariables.TOKEN_SERVICE_REDIS_PASSWORD_FILE, "redis-password"))
                .contains("TOKEN_SERVICE_REDIS_PASSWORD_FILE").contains("holds a password too");
        assertThat(error("", EnvironmentVariables.TOKEN_SERVICE_REDIS_URL, "redis://redis",
                EnvironmentVariables.TOKEN_SERVICE_REDIS_PASSWORD_FILE, "missing"))
                .contains("no such file");
        assertThat(error("", EnvironmentVariables.TOKEN_SERVICE_REDIS_URL, "redis://redis",
                EnvironmentVariables.TOKEN_SERVICE_REDIS_PASSWORD_FILE, "empty-password"))
                .contains("is empty");
        assertThat(error("", EnvironmentVariables.TOKEN_SERVICE_REDIS_PASSWORD_FILE, "redis-password"))
                .contains("is set but TOKEN_SERVICE_REDIS_URL (or redis.url) is not");
        assertThat(error("", EnvironmentVariables.TOKEN_SERVICE_REDIS_URL, "redis://redis",
                EnvironmentVariables.TOKEN_SERVICE_REDIS_CA_FILE, "redis-password"))
                .contains("is not rediss://");
        assertThat(error("", EnvironmentVariables.TOKEN_SERVICE_REDIS_URL, "redis://redis",
                EnvironmentVariables.TOKEN_SERVICE_REDIS_TIMEOUT_MS, "0"))
                .contains("TOKEN_SERVICE_REDIS_TIMEOUT_MS");
        assertThat(error("redis:\n  uri: redis://redis\n")).contains("uri");
    }

    @Test
    void aChangedRedisNeedsARestart() throws IOException {
        Configuration before = load("redis:\n  url: redis://one:6379\n");
        Configuration after = load("redis:\n  url: redis://two:6379\n");
        assertThat(before.restartOnlyChanges(after)).containsExactly("redis");
        assertThat(before.restartOnlyChanges(load("redis:\n  url: redis://one:6379\n"))).isEmpty();
    }
}
