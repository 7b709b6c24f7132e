package io.tokenservice.deploy.docker;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenservice.deploy.Repository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * No Docker engine runs here, so the images cannot be built in the test command; what can be proved
 * offline is that each Dockerfile only uses what the repository has and builds.
 */
class DockerfilesTest {
    private static final Path DOCKER = Repository.path("deploy/docker");

    static Stream<Path> dockerfiles() throws IOException {
        try (Stream<Path> files = Files.list(DOCKER)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".Dockerfile")).sorted().toList().stream();
        }
    }

    private static String server() {
        return Repository.read(DOCKER.resolve("server.Dockerfile"));
    }

    private static List<String> problems(String dockerfile) {
        return DockerfileRules.problems(Repository.ROOT, dockerfile);
    }

    @Test
    void theServerAndTheGatewayHaveADockerfileEach() throws IOException {
        assertThat(dockerfiles().map(f -> f.getFileName().toString()))
                .containsExactly("gateway.Dockerfile", "server.Dockerfile");
    }

    @ParameterizedTest
    @MethodSource("dockerfiles")
    void everyDockerfileUsesOnlyWhatTheRepositoryHasAndBuilds(Path dockerfile) {
        assertThat(problems(Repository.read(dockerfile))).isEmpty();
    }

    @Test
    void theServerImageRunsTheServerJarAndChecksGrpcHealth() {
        String text = server();
        assertThat(problems(text)).isEmpty();
        Dockerfile.Stage image = Dockerfile.parse(text).finalStage();
        assertThat(image.last("ENTRYPOINT").words()).containsSequence("-jar", "/app/token-server.jar");
        assertThat(image.last("ENTRYPOINT").words()).as("the measured young-generation share").contains("-XX:NewRatio=1");
        assertThat(image.last("HEALTHCHECK").words())
                .containsSequence("-cp", "/app/token-server.jar", "io.tokenservice.server.cli.HealthProbe");
        assertThat(image.image()).startsWith("eclipse-temurin:17-jre");
    }

    @Test
    void theGatewayImageChecksPing() {
        Dockerfile.Stage image = Dockerfile.parse(Repository.read(DOCKER.resolve("gateway.Dockerfile"))).finalStage();
        assertThat(image.last("ENTRYPOINT").words()).containsSequence("-jar", "/app/token-gateway.jar");
        assertThat(String.join(" ", image.last("HEALTHCHECK").words()))
                .contains("io.tokenservice.deploy.probe.HttpProbe http://127.0.0.1:${GATEWAY_PORT}/ping");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            a misspelt probe class     | cli.HealthProbe                     | cli.HealthProbee                  | HealthProbee has no source
            a module that is not there | -pl server -am                      | -pl servr -am                     | module servr is not a module
            a jar the build never makes| /src/server/target/token-server.jar | /src/server/target/server.jar     | builds no such file
            -jar of a jar not copied   | "-jar", "/app/token-server.jar"     | "-jar", "/app/server.jar"         | does not hold as a built module jar
            a root user                | USER 10001:10001                    | USER root                         | numeric non-root USER
            no health check            | HEALTHCHECK                         | # HEALTHCHECK                     | no HEALTHCHECK
            a COPY of a missing file   | COPY . .                            | COPY . .\\nCOPY scripts/start.sh /app/ | scripts/start.sh is not in the repository
            a COPY of an ignored file  | COPY . .                            | COPY . .\\nCOPY .git /x      | left out of the build context
            an unpinned base image     | eclipse-temurin:17-jre-jammy        | eclipse-temurin                   | pin a tag
            a certificate in ENV       | ENV GRPC_PORT=50051                 | ENV APP_CERTIFICATE=0123456789abcdef0123456789abcdef GRPC_PORT=50051 | APP_CERTIFICATE carries a secret
            a secret build argument    | FROM eclipse-temurin:17-jdk-jammy AS build | FROM eclipse-temurin:17-jdk-jammy AS build\\nARG API_KEY | ARG API_KEY
            a port not exposed         | EXPOSE 50051 9464                   | EXPOSE 9464                       | GRPC_PORT=50051 is not EXPOSEd
            a variable nobody sets     | 127.0.0.1:${GRPC_PORT}              | 127.0.0.1:${GRPC_PROT}            | GRPC_PROT, which no ENV
            a shell-form ENTRYPOINT    | ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-XX:-UsePerfData", \\ | ENTRYPOINT java -jar /app/token-server.jar\\n# | exec-form ENTRYPOINT
            """)
    void aBrokenCopyOfTheServerDockerfileIsRejected(String what, String original, String broken, String expected) {
        String text = server();
        String originalText = original.replace("\\n", "\n");
        assertThat(text).as("the Dockerfile still holds what this case breaks").contains(originalText);
        String mutated = text.replace(originalText, broken.replace("\\n", "\n"));
        assertThat(problems(mutated)).as(what).anySatisfy(p -> assertThat(p).contains(expected));
    }

    @Test
    void theBuildContextLeavesOutSecretsBuildOutputAndHistory() {
        DockerIgnore ignore = DockerIgnore.parse(Repository.read(".dockerignore"));
        assertThat(List.of(".env", "server/.env", ".git/config", "deploy/secrets/app-certificate",
                "deploy/secrets/token-service.yaml", "server/target/token-server.jar",
                "deploy/schema/node_modules/ajv/package.json", "server/src/test/resources/tls/server.key",
                "certs/ca.pem"))
                .allSatisfy(path -> assertThat(ignore.excludes(path)).as(path).isTrue());
        assertThat(List.of("mvnw", "pom.xml", ".mvn/wrapper/maven-wrapper.properties", "server/pom.xml",
                "server/src/main/java/io/tokenservice/server/Main.java",
                "deploy/src/main/java/io/tokenservice/deploy/probe/HttpProbe.java",
                "proto/src/main/protobuf/tokenservice/v1/token_service.proto"))
                .allSatisfy(path -> assertThat(ignore.excludes(path)).as(path).isFalse());
    }

    @Test
    void dockerIgnoreFollowsDockersPatternRules() {
        DockerIgnore ignore = DockerIgnore.parse("""
                # comment
                **/target
                /docs/*.md
                !docs/keep.md
                a?c
                """);
        assertThat(ignore.excludes("target/x.jar")).isTrue();
        assertThat(ignore.excludes("a/b/target")).isTrue();
        assertThat(ignore.excludes("targets/x")).isFalse();
        assertThat(ignore.excludes("docs/a.md")).isTrue();
        assertThat(ignore.excludes("docs/sub/a.md")).isFalse();
        assertThat(ignore.excludes("docs/keep.md")).isFalse();
        assertThat(ignore.excludes("abc")).isTrue();
        assertThat(ignore.excludes("abbc")).isFalse();
    }
}
