package io.tokenservice.deploy;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A tool run as a process (docker-compose, promtool, kubectl, yamllint, node, bash) with a bounded wait:
 * exit code, and standard output and error together.
 */
public record Command(int exitCode, String output) {
    private static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);

    public static Command run(Path dir, String... command) {
        return run(dir, null, DEFAULT_TIMEOUT, List.of(command));
    }

    public static Command runWithInput(Path dir, String input, String... command) {
        return run(dir, input, DEFAULT_TIMEOUT, List.of(command));
    }

    public static Command run(Path dir, String input, Duration timeout, List<String> command) {
        requireOnPath(command.get(0));
        Path outputFile = null;
        try {
            outputFile = Files.createTempFile("deploy-command", ".out");
            ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectErrorStream(true).redirectOutput(outputFile.toFile());
            if (input == null) {
                builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            }
            Process process = builder.start();
            if (input != null) {
                try (var stdin = process.getOutputStream()) {
                    stdin.write(input.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout);
            }
            return new Command(process.exitValue(), Files.readString(outputFile));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + command, e);
        } finally {
            if (outputFile != null) {
                outputFile.toFile().delete();
            }
        }
    }

    private static void requireOnPath(String program) {
        if (program.contains("/")) {
            return;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return;
            }
        }
        throw new AssertionError(program + " is not installed: run scripts/install-test-tools (scripts/test does)");
    }

    @Override
    public String toString() {
        return "exit " + exitCode + ": " + output;
    }
}
