package io.tokenservice.gateway.testing;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;

/**
 * The real token server, run the way operators run it: {@code java -jar server/target/token-server.jar} as
 * a process, configured only by environment variables (a throw-away app, one quick-start API key per
 * named caller, {@code GRPC_PORT} on a free port), ready when its gRPC health check says SERVING. Its
 * output goes into the {@link SuiteLog}. It can be stopped and started again on the same port, and frozen
 * (SIGSTOP) to play a server that accepts connections but never answers.
 *
 * <p>A process rather than the server's Java API: that API is being reworked, while the jar, its
 * environment variables and its health check are the server's public interface, and they are what the
 * gateway meets in production.
 */
public final class TokenServerProcess implements AutoCloseable {
    /** Where the reactor packages the server ({@code ./mvnw -B verify -pl gateway -am} does so first). */
    public static final Path JAR = Path.of("..", "server", "target", "token-server.jar").toAbsolutePath().normalize();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final int MAX_KEPT_LINES = 200;
    private static TokenServerProcess shared;

    public final String appId = TestSecrets.hex32();
    public final String certificate = TestSecrets.certificate();
    private final Map<String, String> keys = new LinkedHashMap<>();
    private final Map<String, String> extraEnv;
    private final ChannelCredentials probeCredentials;
    private final Path workDir;
    private final int port;
    private Path configFile;
    private final Deque<String> recentOutput = new ConcurrentLinkedDeque<>();
    private Process process;

    private TokenServerProcess(List<String> callers, Map<String, String> extraEnv, ChannelCredentials probeCredentials) {
        callers.forEach(caller -> keys.put(caller, TestSecrets.apiKey()));
        this.extraEnv = Map.copyOf(extraEnv);
        this.probeCredentials = probeCredentials;
        this.port = freePort();
        try {
            this.workDir = Files.createTempDirectory("token-server-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A server with one API key per caller name, plaintext. */
    public static TokenServerProcess start(String... callers) {
        return start(List.of(callers), Map.of(), InsecureChannelCredentials.create());
    }

    /** A server with extra environment (e.g. TLS files); {@code probe} reaches its health check. */
    public static TokenServerProcess start(List<String> callers, Map<String, String> extraEnv, ChannelCredentials probe) {
        TokenServerProcess server = new TokenServerProcess(callers, extraEnv, probe);
        server.launch();
        return server;
    }

    /**
     * A server configured by a YAML file instead of {@code APP_ID}/{@code APP_CERTIFICATE} and
     * {@code TOKEN_SERVICE_API_KEYS}: {@code config} gets this server's App ID and certificate and returns the
     * file's content, which is written to {@code token-service.yaml} in the server's working directory.
     */
    public static TokenServerProcess startWithConfigFile(java.util.function.BinaryOperator<String> config,
            Map<String, String> extraEnv) {
        TokenServerProcess server = new TokenServerProcess(List.of(), extraEnv, InsecureChannelCredentials.create());
        try {
            server.configFile = Files.writeString(server.workDir.resolve("token-service.yaml"),
                    config.apply(server.appId, server.certificate));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.launch();
        return server;
    }

    /**
     * The server most test classes share, started on first use and stopped when the test JVM exits; each
     * test class calls it as a caller of its own, so their rate limits do not add up.
     */
    public static synchronized TokenServerProcess shared() {
        if (shared == null) {
            shared = start("classic", "rpc", "browser", "probe");
            TokenServerProcess stopAtExit = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(stopAtExit::close, "stop-shared-token-server"));
        }
        return shared;
    }

    public String apiKey(String caller) {
        String key = keys.get(caller);
        if (key == null) {
            throw new IllegalArgumentException("no caller " + caller);
        }
        return key;
    }

    public int port() {
        return port;
    }

    /** {@code localhost:<port>}, a TOKEN_SERVICE_TARGET. */
    public String target() {
        return "localhost:" + port;
    }

    /** Starts the process and waits until the server serves. */
    public synchronized void launch() {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " is missing: build it first, e.g. ./mvnw -B verify -pl gateway -am "
                    + "(or ./mvnw -B -q package -pl server -am -DskipTests)");
        }
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            process = spawn();
            if (awaitServing(deadline)) {
                return;
            }
            // A port released a moment ago may still be taken: the server then exits at once; try again.
            if (process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IllegalStateException("token server did not start within " + START_TIMEOUT.toSeconds()
                        + " s; its last output:\n" + String.join("\n", recentOutput));
            }
        }
    }

    private Process spawn() {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", JAR.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("APP_") || name.startsWith("TOKEN_SERVICE_")
                || name.startsWith("TLS_") || name.equals("GRPC_PORT"));
        env.put("GRPC_PORT", Integer.toString(port));
        if (configFile != null) {
            env.put("TOKEN_SERVICE_CONFIG", configFile.toString());
        } else {
            env.put("APP_ID", appId);
            env.put("APP_CERTIFICATE", certificate);
        }
        env.put("SHUTDOWN_GRACE_SECONDS", "2");
        if (!keys.isEmpty()) {
            List<String> pairs = new ArrayList<>();
            keys.forEach((caller, key) -> pairs.add(caller + "=" + key));
            env.put("TOKEN_SERVICE_API_KEYS", String.join(",", pairs));
        }
        env.putAll(extraEnv);
        try {
            Process started = builder.start();
            pipe(started.getInputStream(), "token-server stdout");
            pipe(started.getErrorStream(), "token-server stderr");
            return started;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private boolean awaitServing(long deadlineNanos) {
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("localhost", port, probeCredentials).build();
        try {
            while (System.nanoTime() < deadlineNanos) {
                if (!process.isAlive()) {
                    return false;
                }
                try {
                    ServingStatus status = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS)
                            .check(HealthCheckRequest.getDefaultInstance()).getStatus();
                    if (status == ServingStatus.SERVING) {
                        return true;
                    }
                } catch (StatusRuntimeException e) {
                    // not listening yet
                }
                Thread.sleep(100);
            }
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            channel.shutdownNow();
        }
    }

    /** SIGTERM, as an orchestrator stops it; waits until it has exited. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        thaw();
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** SIGSTOP: connections stay open, calls are never answered. */
    public synchronized void freeze() {
        signal("-STOP");
    }

    /** SIGCONT after {@link #freeze()}. */
    public synchronized void thaw() {
        signal("-CONT");
    }

    private void signal(String signal) {
        if (process == null || !process.isAlive()) {
            return;
        }
        try {
            Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill " + signal + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }

    private void pipe(InputStream in, String source) {
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    SuiteLog.add(source, line);
                    recentOutput.add(line);
                    while (recentOutput.size() > MAX_KEPT_LINES) {
                        recentOutput.pollFirst();
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        }, source);
        reader.setDaemon(true);
        reader.start();
    }

    /** A port nothing listens on right now (the server binds it moments later). */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
