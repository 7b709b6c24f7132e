package io.tokenservice.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shaded jar users run, as a real process ({@code java <options> -jar server/target/token-server.jar}),
 * with only the environment the test gives it, and both of its output streams read line by line (every line
 * also goes to {@link SuiteLog}, except the development key's line, shown by design). The jar exists only
 * after {@code package}, so the tests that start it are integration tests ({@code *IT}, run by failsafe,
 * which passes the jar's path as the system property {@value #JAR_PROPERTY}).
 */
public final class ServerProcess implements AutoCloseable {
    public static final long TIMEOUT_SECONDS = 60;
    private static final Pattern PORT = Pattern.compile("listening on port (\\d+) ");
    /** The development key's line on standard output. */
    public static final String JAR_PROPERTY = "token.server.jar";
    public static final Pattern KEY_LINE = Pattern.compile("^\\s*export TOKEN_SERVICE_API_KEY=(\\S+)$");

    /** One output stream of the process, line by line, as it comes. */
    public static final class Lines {
        public final List<String> all = new CopyOnWriteArrayList<>();
        private final BlockingQueue<String> fresh = new LinkedBlockingQueue<>();
        private final Thread reader;

        Lines(InputStream in, String source) {
            reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        all.add(line);
                        fresh.add(line);
                        if (!KEY_LINE.matcher(line).matches()) {
                            SuiteLog.add(source, line);
                        }
                    }
                } catch (IOException e) {
                    // the process ended
                }
            }, "server-process-" + source);
            reader.setDaemon(true);
            reader.start();
        }

        /** Waits for the next line matching {@code wanted}, skipping others. */
        public String await(Predicate<String> wanted, String what) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
            while (true) {
                long left = deadline - System.nanoTime();
                String line = left <= 0 ? null : fresh.poll(left, TimeUnit.NANOSECONDS);
                assertThat(line).as("waiting for " + what + "; got so far: " + all).isNotNull();
                if (wanted.test(line)) {
                    return line;
                }
            }
        }

        /** Waits until the stream has ended (the process exited). */
        public void finish() throws InterruptedException {
            reader.join(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
        }
    }

    public final Process process;
    public final Lines out;
    public final Lines err;

    private ServerProcess(Process process) {
        this.process = process;
        this.out = new Lines(process.getInputStream(), "server process stdout");
        this.err = new Lines(process.getErrorStream(), "server process stderr");
    }

    /**
     * Starts the server in {@code dir} with {@code env} only (nothing of the test's own environment that
     * configures the server) and {@code jvmOptions} before {@code -jar}.
     */
    public static ServerProcess start(Path dir, Map<String, String> env, String... jvmOptions) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(javaJar(jvmOptions)).directory(dir.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("APP_") || k.startsWith("TOKEN_SERVICE")
                || k.startsWith("TLS_") || k.equals("GRPC_PORT") || k.endsWith("_GRACE_SECONDS")
                || k.startsWith("MAX_") || k.endsWith("_TIMEOUT_SECONDS") || k.startsWith("PERMIT_KEEPALIVE")
                || k.startsWith("LOG_") || k.startsWith("ADMIN_"));
        builder.environment().putAll(env);
        return new ServerProcess(builder.start());
    }

    /** {@code java <jvmOptions> -jar <the server jar>}, to which a test appends the command's arguments. */
    public static List<String> javaJar(String... jvmOptions) {
        String jar = System.getProperty(JAR_PROPERTY);
        assertThat(jar).as("system property " + JAR_PROPERTY + " (set by failsafe in ./mvnw verify)").isNotNull();
        assertThat(Files.isRegularFile(Path.of(jar))).as(jar + " (built by package)").isTrue();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-jar", jar));
        return command;
    }

    /** Waits for the "listening on port" line and returns the port. */
    public int awaitPort() throws InterruptedException {
        Matcher port = PORT.matcher(err.await(l -> PORT.matcher(l).find(), "the listening line"));
        assertThat(port.find()).isTrue();
        return Integer.parseInt(port.group(1));
    }

    /** SIGTERM (graceful shutdown), then waits for the exit and the end of both streams. */
    @Override
    public void close() throws InterruptedException {
        // Process.destroy() would also close our ends of its pipes, and its last lines would be lost.
        process.toHandle().destroy();
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        out.finish();
        err.finish();
    }
}
