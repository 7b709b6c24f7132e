package io.tokenservice.deploy.compose;

import static io.tokenservice.deploy.Nodes.map;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokenservice.deploy.Command;
import io.tokenservice.deploy.Nodes;
import io.tokenservice.deploy.Repository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * docker-compose.yml, validated offline by Debian's docker-compose (v1: the file keeps to the subset it
 * understands) and checked for what the deployment promises.
 */
class DockerComposeTest {
    private static String resolved;

    @BeforeAll
    static void resolve() {
        Command config = Command.run(Repository.ROOT, "docker-compose", "-f", "docker-compose.yml", "config");
        assertThat(config.exitCode()).as(config.output()).isZero();
        resolved = config.output();
    }

    private static Map<String, Object> config() {
        return Nodes.document(resolved);
    }

    private static List<String> problems(Consumer<Map<String, Object>> change) {
        Map<String, Object> config = config();
        change.accept(config);
        return ComposeRules.problems(config, Repository.ROOT);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> service(Map<String, Object> config, String name) {
        return (Map<String, Object>) ((Map<String, Object>) config.get("services")).get(name);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> environment(Map<String, Object> config, String name) {
        return (Map<String, Object>) service(config, name).get("environment");
    }

    @Test
    void dockerComposeAcceptsTheFile() {
        Command check = Command.run(Repository.ROOT, "docker-compose", "-f", "docker-compose.yml", "config", "-q");
        assertThat(check.exitCode()).as(check.output()).isZero();
        assertThat(check.output()).isBlank();
    }

    @Test
    void theDeploymentKeepsItsPromises() {
        assertThat(ComposeRules.problems(config(), Repository.ROOT)).isEmpty();
    }

    @Test
    void secretsReachTheServerAsFilesOnly() {
        Map<String, Object> config = config();
        assertThat(map(config, "secrets")).containsOnlyKeys("token-service-config", "app-certificate", "app-certificate-previous");
        assertThat(environment(config, "token-server"))
                .containsEntry("TOKEN_SERVICE_CONFIG", "/run/secrets/token-service.yaml")
                .containsEntry("TOKEN_SERVICE_REDIS_URL", "redis://redis:6379")
                .containsEntry("ADMIN_PORT", "9464")
                .doesNotContainKeys("APP_CERTIFICATE", "TOKEN_SERVICE_API_KEYS", "APP_ID");
        assertThat(Repository.read(".gitignore")).contains("deploy/secrets/");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            a misspelt key                     | '    image: redis:7.2-alpine'  | '    imagee: redis:7.2-alpine'
            a top-level name (compose v2 only) | 'services:'                    | 'name: token-service\\nservices:'
            a secret from the environment      | '    file: ./deploy/secrets/app-certificate' | '    environment: APP_CERTIFICATE'
            a health check's start_interval    | '    healthcheck:'             | '    healthcheck:\\n      start_interval: 1s'
            """)
    void dockerComposeRejectsABrokenCopy(String what, String original, String broken, @TempDir Path dir) throws IOException {
        String text = Repository.read("docker-compose.yml");
        assertThat(text).contains(original);
        Path copy = dir.resolve("docker-compose.yml");
        Files.writeString(copy, text.replace(original, broken.replace("\\n", "\n")));
        Command check = Command.run(Repository.ROOT, "docker-compose", "-f", copy.toString(),
                "--project-directory", Repository.ROOT.toString(), "config", "-q");
        assertThat(check.exitCode()).as(what + ": " + check.output()).isNotZero();
    }

    @Test
    void aWritableRootFileSystemIsRejected() {
        assertThat(problems(c -> service(c, "token-server").remove("read_only")))
                .contains("token-server: the root file system must be read_only");
    }

    @Test
    void aCertificateInTheEnvironmentIsRejected() {
        assertThat(problems(c -> environment(c, "token-server").put("APP_CERTIFICATE", "0123456789abcdef0123456789abcdef")))
                .anySatisfy(p -> assertThat(p).contains("APP_CERTIFICATE carries a secret inline"));
        assertThat(problems(c -> environment(c, "token-gateway").put("UPSTREAM_AUTH", "Bearer tsk_abcdefghijklmnopqrstuvwxyz")))
                .anySatisfy(p -> assertThat(p).contains("looks like a certificate, an API key"));
    }

    @Test
    void aSecretOutsideTheIgnoredDirectoryIsRejected() {
        List<String> problems = problems(c -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> secret = (Map<String, Object>) ((Map<String, Object>) c.get("secrets")).get("app-certificate");
            secret.put("file", Repository.path("app-certificate").toString());
        });
        assertThat(problems).anySatisfy(p -> assertThat(p).contains("secret app-certificate must be a file under deploy/secrets/"));
    }

    @Test
    void prometheusThatAlwaysStartsIsRejected() {
        assertThat(problems(c -> service(c, "prometheus").remove("profiles")))
                .anySatisfy(p -> assertThat(p).contains("prometheus must be optional"));
    }

    @Test
    void aGatewayPointingElsewhereOrAnotherRedisIsRejected() {
        assertThat(problems(c -> environment(c, "token-gateway").put("TOKEN_SERVICE_TARGET", "localhost:50051")))
                .anySatisfy(p -> assertThat(p).contains("TOKEN_SERVICE_TARGET must be token-server:50051"));
        assertThat(problems(c -> environment(c, "token-server").put("TOKEN_SERVICE_REDIS_URL", "redis://cache:6379")))
                .anySatisfy(p -> assertThat(p).contains("TOKEN_SERVICE_REDIS_URL must be redis://redis:6379"));
    }

    @Test
    void startingBeforeTheServerIsHealthyIsRejected() {
        assertThat(problems(c -> service(c, "token-gateway").put("depends_on", Map.of("token-server",
                Map.of("condition", "service_started")))))
                .anySatisfy(p -> assertThat(p).contains("token-gateway must wait for token-server to be healthy"));
    }
}
