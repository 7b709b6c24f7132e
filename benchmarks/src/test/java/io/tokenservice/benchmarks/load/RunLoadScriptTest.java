package io.tokenservice.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** benchmarks/run-load refuses a bad command line before it starts anything. */
class RunLoadScriptTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--runs 0          | run-load: --runs must be at least 1",
        "--runs many       | run-load: expected a whole number, got 'many'",
        "--duration -1     | run-load: expected a number, got '-1'",
        "--heap 64         | run-load: --heap expects e.g. 128m, got '64'",
        "--cds yes         | run-load: --cds expects on or off, got 'yes'",
        "--loader wrk      | run-load: --loader expects h2load or java, got 'wrk'",
        "--gateway-warmup x | run-load: expected a number, got 'x'",
        "--bogus 1         | run-load: unknown option --bogus",
        "--duration        | run-load: --duration needs a value",
    })
    void aBadCommandLineExitsWith2AndSaysWhy(String args, String message) throws Exception {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("bash", "run-load"));
        command.addAll(java.util.List.of(args.split(" ")));
        Process p = new ProcessBuilder(command).directory(Path.of("").toAbsolutePath().toFile())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();

        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(out.lines().findFirst()).contains(message);
    }
}
