package io.tokenservice.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** benchmarks/start-time: a bad command line is refused before anything starts; a jar's starts are timed. */
class StartTimeScriptTest {
    private static final Path SCRIPT = Path.of("start-time").toAbsolutePath();

    @TempDir
    Path dir;

    private record Run(int exit, String output) {}

    private Run run(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        // The script starts `java` from PATH: this test's JVM.
        builder.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + System.getenv("PATH"));
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--runs 0 a.jar    | start-time: --runs expects a whole number from 1, got '0'",
        "--runs many a.jar | start-time: --runs expects a whole number from 1, got 'many'",
        "--cpu x a.jar     | start-time: --cpu expects a core number, got 'x'",
        "--cds yes a.jar   | start-time: --cds expects on or off, got 'yes'",
        "--bogus a.jar     | start-time: unknown option --bogus",
        "--runs            | start-time: --runs needs a value",
        "--runs 1          | start-time: no jar given",
        "/nonexistent.jar  | start-time: no such jar: /nonexistent.jar",
    })
    void aBadCommandLineExitsWith2AndSaysWhy(String args, String message) throws Exception {
        Run run = run(args.split(" "));

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.output().lines().findFirst()).contains(message);
    }

    @Test
    void eachJarGetsItsMediansAndAJarThatDiesBeforeReadyFails() throws Exception {
        Path jar = readyJar();

        Run timed = run("--runs", "2", "--cds", "off", "--ready", "^READY$", jar.toString());
        assertThat(timed.exit()).as(timed.output()).isZero();
        assertThat(timed.output()).contains("2 starts per jar, pinned to core 0, AppCDS off")
                .containsPattern(java.util.regex.Pattern.quote(jar.toString())
                        + ": wall median \\d+ ms \\(\\d+ \\d+\\) cpu median \\d+ ms \\(\\d+ \\d+\\)");

        Run never = run("--runs", "1", "--cds", "off", "--ready", "^NEVER$", jar.toString());
        assertThat(never.exit()).isEqualTo(1);
        assertThat(never.output()).contains("exited before it was ready").contains("READY");
    }

    /** A jar whose main prints READY and ends 3 s later if nothing stopped it first. */
    private Path readyJar() throws IOException {
        Path source = dir.resolve("src/Ready.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, """
                public class Ready {
                    public static void main(String[] args) throws InterruptedException {
                        System.out.println("READY");
                        Thread.sleep(3_000);
                    }
                }
                """);
        Path classes = dir.resolve("classes");
        assertThat(ToolProvider.getSystemJavaCompiler()
                .run(null, null, null, "--release", "17", "-d", classes.toString(), source.toString())).isZero();
        Path jar = dir.resolve("ready.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "Ready");
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
            out.putNextEntry(new JarEntry("Ready.class"));
            out.write(Files.readAllBytes(classes.resolve("Ready.class")));
            out.closeEntry();
        }
        return jar;
    }
}
