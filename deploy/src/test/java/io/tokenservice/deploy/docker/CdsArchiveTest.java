package io.tokenservice.deploy.docker;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenservice.deploy.Repository;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code deploy/docker/cds-archive}, which the images run to make their class-data archive: it trains on
 * one start of a jar, stopped by SIGTERM once the start says it is ready, and the archive it leaves is one
 * the JVM maps when the jar starts again. Shown on a small jar of its own: the server's and the gateway's
 * jars are built after this module's tests.
 */
class CdsArchiveTest {
    private static final Path SCRIPT = Repository.path("deploy/docker/cds-archive");
    private static final long WAIT_SECONDS = 120;

    @TempDir
    static Path dir;
    private static Path jar;

    /** A main class that prints READY and waits to be stopped, or with "once" prints READY and ends, or with "fail" ends at once. */
    @BeforeAll
    static void buildJar() throws IOException {
        Path source = dir.resolve("src/Ready.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, """
                public class Ready {
                    public static void main(String[] args) throws InterruptedException {
                        if (args.length > 0 && args[0].equals("fail")) {
                            System.out.println("cannot start");
                            System.exit(3);
                        }
                        System.out.println("READY");
                        if (args.length == 0) {
                            Thread.sleep(Long.MAX_VALUE);
                        }
                    }
                }
                """);
        Path classes = dir.resolve("classes");
        assertThat(ToolProvider.getSystemJavaCompiler()
                .run(null, null, null, "--release", "17", "-d", classes.toString(), source.toString())).isZero();
        jar = dir.resolve("ready.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "Ready");
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
            out.putNextEntry(new JarEntry("Ready.class"));
            out.write(Files.readAllBytes(classes.resolve("Ready.class")));
            out.closeEntry();
        }
    }

    @Test
    void theArchiveOfATrainingStartIsMappedWhenTheJarStartsAgain() throws Exception {
        Path archive = dir.resolve("ready.jsa");
        Run training = run(List.of(SCRIPT.toString(), archive.toString(), "^READY$", "-jar", jar.toString()));
        assertThat(training.exitCode()).as(training.output()).isZero();
        assertThat(archive).isNotEmptyFile();

        // -Xshare:on: the JVM refuses to start rather than run without the archive.
        Run again = run(List.of(java(), "-Xshare:on", "-XX:SharedArchiveFile=" + archive, "-Xlog:class+load=info",
                "-jar", jar.toString(), "once"));
        assertThat(again.exitCode()).as(again.output()).isZero();
        assertThat(again.output()).contains("READY").contains("Ready source: shared objects file (top)");
    }

    @Test
    void aStartThatEndsBeforeItIsReadyFailsTheBuildAndLeavesNoArchive() throws Exception {
        Path archive = dir.resolve("failed.jsa");
        Run training = run(List.of(SCRIPT.toString(), archive.toString(), "^READY$", "-jar", jar.toString(), "fail"));
        assertThat(training.exitCode()).isEqualTo(1);
        assertThat(training.output()).contains("exited before it was ready").contains("cannot start");
        assertThat(archive).doesNotExist();
    }

    @ParameterizedTest
    @CsvSource({"server.Dockerfile, /app/token-server.jsa, /app/token-server.jar",
                "gateway.Dockerfile, /app/token-gateway.jsa, /app/token-gateway.jar"})
    void eachImageMakesItsArchiveAsRootAndStartsWithIt(String file, String archive, String appJar) {
        Dockerfile.Stage image = Dockerfile.parse(Repository.read(Repository.path("deploy/docker/" + file))).finalStage();
        List<Dockerfile.Instruction> runs = image.all("RUN").stream()
                .filter(run -> run.words().contains("/app/cds-archive")).toList();
        assertThat(runs).hasSize(1);
        Dockerfile.Instruction training = runs.get(0);
        assertThat(training.words()).containsSequence("/app/cds-archive", archive)
                .containsSequence("-jar", appJar);
        // /app belongs to root: the archive is written before the image switches to its user.
        assertThat(training.line()).isLessThan(image.last("USER").line());
        assertThat(image.all("COPY")).anySatisfy(copy ->
                assertThat(copy.words()).containsExactly("deploy/docker/cds-archive", "/app/cds-archive"));
        assertThat(image.last("ENTRYPOINT").words())
                .containsSequence("-XX:SharedArchiveFile=" + archive, "-jar", appJar);
    }

    private record Run(int exitCode, String output) {}

    private static Run run(List<String> command) throws Exception {
        Path output = Files.createTempFile(dir, "run", ".log");
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true)
                .redirectOutput(output.toFile());
        // The script runs `java` from PATH; the archive belongs to one JVM build, so it is this test's JVM.
        builder.environment().put("PATH", Path.of(java()).getParent() + ":" + System.getenv("PATH"));
        Process process = builder.start();
        if (!process.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not end within " + WAIT_SECONDS + " s: "
                    + Files.readString(output, StandardCharsets.UTF_8));
        }
        return new Run(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
