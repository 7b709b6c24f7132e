package io.tokenservice.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenservice.gateway.config.GatewayConfig;
import io.tokenservice.gateway.testing.SuiteLog;
import io.tokenservice.gateway.testing.TokenServerProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Main} as a process, the way {@code java -jar token-gateway.jar} runs (same class, the test class
 * path): bad configuration is one line and exit code 2; a good one is ready when {@code /health} says so
 * and stops on SIGTERM.
 */
class MainProcessTest {
    @TempDir
    Path dir;

    private Process start(Map<String, String> env, List<String> stderr) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), Main.class.getName())
                .directory(dir.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("GATEWAY_") || name.startsWith("TOKEN_SERVICE_")
                || name.startsWith("ADMIN_"));
        builder.environment().putAll(env);
        Process process = builder.start();
        read(process.getInputStream(), "gateway stdout", new CopyOnWriteArrayList<>());
        read(process.getErrorStream(), "gateway stderr", stderr);
        return process;
    }

    private static void read(InputStream in, String source, List<String> into) {
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    SuiteLog.add(source, line);
                    into.add(line);
                }
            } catch (IOException e) {
                // ended
            }
        }, source);
        reader.setDaemon(true);
        reader.start();
    }

    @Test
    void badConfigurationIsOneLineAndExitCode2() throws Exception {
        Files.writeString(dir.resolve(".env"), "GATEWAY_CALL_TIMEOUT_SECONDS=forever-and-a-day\n");
        List<String> stderr = new CopyOnWriteArrayList<>();
        Process process = start(Map.of(), stderr);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(Main.EXIT_CONFIG);
        process.getErrorStream().close();
        List<String> lines = stderr.stream().filter(line -> !line.isBlank()).toList();
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).contains("SEVERE", "configuration error", GatewayConfig.ENV_CALL_TIMEOUT, ".env")
                .doesNotContain("forever-and-a-day");
    }

    @Test
    void readyWhenHealthySaysSoServesMetricsOnTheAdminPortAndStopsOnSigterm() throws Exception {
        TokenServerProcess server = TokenServerProcess.shared();
        int port = TokenServerProcess.freePort();
        int admin = TokenServerProcess.freePort();
        List<String> stderr = new CopyOnWriteArrayList<>();
        Process process = start(Map.of(GatewayConfig.ENV_PORT, Integer.toString(port),
                GatewayConfig.ENV_BIND_ADDRESS, "127.0.0.1", GatewayConfig.ENV_BACKEND_TARGET, server.target(),
                GatewayConfig.ENV_SHUTDOWN_GRACE, "5", GatewayConfig.ENV_ADMIN_PORT, Integer.toString(admin)), stderr);
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            int status = -1;
            while (status != 200 && System.nanoTime() < deadline && process.isAlive()) {
                try {
                    status = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + Gateway.HEALTH_PATH))
                            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                } catch (IOException notYetListening) {
                    Thread.sleep(100);
                }
            }
            assertThat(status).as(String.join("\n", stderr)).isEqualTo(200);
            assertThat(stderr).anyMatch(line -> line.contains("token gateway listening on http port " + port));

            // A call through the gateway (refused: no credentials), counted once its response is complete.
            http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/tokens:inspect"))
                    .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding());
            HttpRequest scrape = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + Gateway.METRICS_PATH))
                    .timeout(Duration.ofSeconds(10)).build();
            HttpResponse<String> metrics = http.send(scrape, HttpResponse.BodyHandlers.ofString());
            long counted = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!metrics.body().contains("armeria_server_requests_total") && System.nanoTime() < counted) {
                Thread.sleep(50);
                metrics = http.send(scrape, HttpResponse.BodyHandlers.ofString());
            }
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("content-type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
            assertThat(metrics.body()).contains("armeria_server_requests_total").contains("jvm_memory_used_bytes");
            assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + Gateway.METRICS_PATH))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding()).statusCode())
                    .as("metrics only on the admin port").isNotEqualTo(200);
            assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + Gateway.HEALTH_PATH))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding()).statusCode())
                    .as("nothing but metrics on the admin port").isEqualTo(404);

            // SIGTERM through the handle: Process.destroy() would also close our end of its standard error.
            process.toHandle().destroy();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("stopped within the grace").isTrue();
            assertThat(process.exitValue()).as("SIGTERM after a clean shutdown").isEqualTo(143);
            long lastLine = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (stderr.stream().noneMatch(line -> line.endsWith("Main - stopped")) && System.nanoTime() < lastLine) {
                Thread.sleep(20);
            }
            assertThat(stderr).as("the last line of a graceful stop").anyMatch(line -> line.endsWith("Main - stopped"));
        } finally {
            process.destroyForcibly();
        }
    }
}
