package io.tokenservice.server.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} (Debian's, installed by {@code scripts/install-test-tools}) as a process on a
 * loopback port, without persistence: {@link #stop()} and {@link #start()} again on the same port simulate an
 * outage and a restart (which empties it, as a Redis without persistence would be).
 */
public final class RedisProcess implements AutoCloseable {
    private static final Duration READY_WAIT = Duration.ofSeconds(10);

    private final int port;
    private final List<String> extraArguments;
    private final Path workingDir;
    private final boolean tls;
    private Process process;

    private RedisProcess(Path workingDir, boolean tls, List<String> extraArguments) throws IOException {
        this.port = freePort();
        this.workingDir = workingDir;
        this.tls = tls;
        this.extraArguments = extraArguments;
        start();
    }

    /** Plaintext, no password. */
    public static RedisProcess plain(Path workingDir) throws IOException {
        return new RedisProcess(workingDir, false, List.of());
    }

    /** Plaintext, {@code requirepass password}. */
    public static RedisProcess withPassword(Path workingDir, String password) throws IOException {
        return new RedisProcess(workingDir, false, List.of("--requirepass", password));
    }

    /** TLS only (no plaintext port), with the certificate and key of {@link io.tokenservice.server.auth.TestPki}. */
    public static RedisProcess tls(Path workingDir, Path certificate, Path key, Path ca) throws IOException {
        return new RedisProcess(workingDir, true, List.of("--tls-cert-file", certificate.toString(),
                "--tls-key-file", key.toString(), "--tls-ca-cert-file", ca.toString(), "--tls-auth-clients", "no"));
    }

    public int port() {
        return port;
    }

    /** Starts the server (again) on its port and waits until it accepts connections. */
    public void start() throws IOException {
        List<String> command = new ArrayList<>(List.of("redis-server", "--port", tls ? "0" : Integer.toString(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"));
        if (tls) {
            command.addAll(List.of("--tls-port", Integer.toString(port)));
        }
        command.addAll(extraArguments);
        process = new ProcessBuilder(command).directory(workingDir.toFile()).redirectErrorStream(true)
                .redirectOutput(workingDir.resolve("redis-" + port + ".log").toFile()).start();
        long deadline = System.nanoTime() + READY_WAIT.toNanos();
        while (!accepts()) {
            if (!process.isAlive()) {
                throw new IOException("redis-server exited with " + process.exitValue() + "; see "
                        + workingDir.resolve("redis-" + port + ".log"));
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IOException("redis-server did not listen on port " + port + " within " + READY_WAIT);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
        }
    }

    /** Kills the server (its clients see the connection drop) and waits until it is gone. */
    public void stop() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(READY_WAIT.toSeconds(), TimeUnit.SECONDS)) {
            throw new IllegalStateException("redis-server did not stop");
        }
    }

    /** Runs {@code redis-cli} against this server (plaintext, no password) and returns what it printed. */
    public String cli(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port)));
        command.addAll(List.of(arguments));
        Process cli = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!cli.waitFor(READY_WAIT.toSeconds(), TimeUnit.SECONDS)) {
            cli.destroyForcibly();
            throw new IOException("redis-cli " + String.join(" ", arguments) + " did not finish");
        }
        return new String(cli.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
    }

    private boolean accepts() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            stop();
        }
    }
}
