package io.tokenservice.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tokenservice.gateway.config.GatewayConfig;
import io.tokenservice.gateway.testing.SuiteLog;
import io.tokenservice.gateway.testing.TokenServerProcess;
import io.tokenservice.logging.LogSetup;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Main} as a process, the way {@code java -jar token-gateway.jar} runs (same class, the test class
 * path): bad configuration is one line and exit code 2; a good one is ready when {@code /health} says so
 * and stops on SIGTERM; its log is the server's ({@code LOG_FORMAT} json or plain, {@code LOG_LEVEL}).
 */
class MainProcessTest {
    /** {@code time LEVEL logger - message}, the server's plain lines. */
    private static final Pattern PLAIN_LINE =
            Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\S* (ERROR|WARN|INFO|DEBUG|TRACE) \\S+ - .*");
    private static final ObjectMapper JSON = new ObjectMapper();

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

    /** The {@code message} of each JSON line; a line that is not JSON fails the test. */
    private static List<String> messages(List<String> jsonLines) throws IOException {
        List<String> messages = new ArrayList<>();
        for (String line : jsonLines) {
            messages.add(JSON.readTree(line).path("message").asText());
        }
        return messages;
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
        List<String> lines = runToExit(Map.of(LogSetup.LOG_FORMAT, "plain"));
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).matches(PLAIN_LINE).contains(" ERROR " + Main.class.getName() + " - configuration error",
                GatewayConfig.ENV_CALL_TIMEOUT, ".env").doesNotContain("forever-and-a-day");
    }

    @Test
    void aLogSettingThatIsNotAChoiceIsAConfigurationErrorNamingTheVariable() throws Exception {
        Files.writeString(dir.resolve(".env"), "LOG_LEVEL=loud\n");
        List<String> lines = runToExit(Map.of(LogSetup.LOG_FORMAT, "json"));
        assertThat(lines).hasSize(1);
        JsonNode line = JSON.readTree(lines.get(0));
        assertThat(line.path("level").asText()).isEqualTo("ERROR");
        assertThat(line.path("message").asText()).contains("configuration error", LogSetup.LOG_LEVEL, ".env",
                "must be one of error, warn, info, debug, trace").doesNotContain("loud");
    }

    @Test
    void warnHidesInfoInPlainLinesUpToTheStop() throws Exception {
        TokenServerProcess server = TokenServerProcess.shared();
        int port = TokenServerProcess.freePort();
        List<String> stderr = new CopyOnWriteArrayList<>();
        Process process = start(Map.of(GatewayConfig.ENV_PORT, Integer.toString(port),
                GatewayConfig.ENV_BIND_ADDRESS, "127.0.0.1", GatewayConfig.ENV_BACKEND_TARGET, server.target(),
                GatewayConfig.ENV_SHUTDOWN_GRACE, "5", LogSetup.LOG_LEVEL, "warn", LogSetup.LOG_FORMAT, "plain"), stderr);
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            assertThat(awaitHealthy(http, port, process)).as(String.join("\n", stderr)).isEqualTo(200);
            process.toHandle().destroy();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).isEqualTo(143);
            process.getErrorStream().close();
            assertThat(stderr).as("nothing below WARN, not even the start and stop lines")
                    .noneMatch(line -> line.contains(" INFO ") || line.contains("listening") || line.contains("stopped"));
            assertThat(stderr).allMatch(line -> line.isBlank() || PLAIN_LINE.matcher(line).matches()
                    || line.startsWith("\t") || line.startsWith("Caused by"));
        } finally {
            process.destroyForcibly();
        }
    }

    private List<String> runToExit(Map<String, String> env) throws Exception {
        List<String> stderr = new CopyOnWriteArrayList<>();
        Process process = start(env, stderr);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(Main.EXIT_CONFIG);
        process.getErrorStream().close();
        return stderr.stream().filter(line -> !line.isBlank()).toList();
    }

    private static int awaitHealthy(HttpClient http, int port, Process process) throws InterruptedException {
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
        return status;
    }

    @Test
    void readyWhenHealthySaysSoServesMetricsOnTheAdminPortAndStopsOnSigterm() throws Exception {
        TokenServerProcess server = TokenServerProcess.shared();
        int port = TokenServerProcess.freePort();
        int admin = TokenServerProcess.freePort();
        List<String> stderr = new CopyOnWriteArrayList<>();
        Process process = start(Map.of(GatewayConfig.ENV_PORT, Integer.toString(port),
                GatewayConfig.ENV_BIND_ADDRESS, "127.0.0.1", GatewayConfig.ENV_BACKEND_TARGET, server.target(),
                GatewayConfig.ENV_SHUTDOWN_GRACE, "5", GatewayConfig.ENV_ADMIN_PORT, Integer.toString(admin),
                LogSetup.LOG_FORMAT, "json"), stderr);
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            assertThat(awaitHealthy(http, port, process)).as(String.join("\n", stderr)).isEqualTo(200);
            assertThat(messages(stderr)).anyMatch(message -> message.startsWith("token gateway listening on http port " + port + ","));

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
            while (!messages(stderr).contains("stopped") && System.nanoTime() < lastLine) {
                Thread.sleep(20);
            }
            assertThat(messages(stderr)).as("the last line of a graceful stop").contains("stopped");
            process.getErrorStream().close();
            for (String line : stderr) {
                JsonNode event = JSON.readTree(line);
                assertThat(event.isObject()).as(line).isTrue();
                assertThat(event.path("level").asText()).as(line).isIn("ERROR", "WARN", "INFO");
                assertThat(event.path("message").isTextual()).as(line).isTrue();
            }
            assertThat(stderr).as("Armeria's own lines in the same JSON")
                    .anyMatch(line -> line.contains("\"logger_name\":\"com.linecorp.armeria"));
        } finally {
            process.destroyForcibly();
        }
    }
}
