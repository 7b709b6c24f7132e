package io.tokenservice.server.metrics;

import static io.tokenservice.server.testing.TestApps.APP_ID;
import static io.tokenservice.server.testing.TestApps.CERT;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokenservice.proto.v1.IssueRtcTokenRequest;
import io.tokenservice.proto.v1.RtcRole;
import io.tokenservice.server.testing.Launched;
import io.tokenservice.server.testing.TestSecrets;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's {@code prometheus} (installed by {@code scripts/install-test-tools}), as a process on a loopback port,
 * scrapes a real server with the compose file's own scrape configuration (job names, path), pointed at the
 * server's admin port; its query API then answers with the server's counts.
 */
class RealPrometheusTest {
    private static final String KEY = TestSecrets.register("tsk_prometheus_key_0123456789abcdef");
    private static final Path COMPOSE_PROMETHEUS = Path.of("..", "deploy", "compose", "prometheus.yml");
    private static final long WAIT_SECONDS = 60;

    @TempDir
    Path dir;

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String query(int port, String promql) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void prometheusScrapesTheServerWithTheComposeConfiguration() throws Exception {
        try (Launched s = Launched.start(Map.of("APP_ID", APP_ID, "APP_CERTIFICATE", CERT,
                "TOKEN_SERVICE_API_KEYS", "web=" + KEY, "ADMIN_PORT", "0"), dir)) {
            for (int i = 0; i < 3; i++) {
                s.as(KEY).issueRtcToken(IssueRtcTokenRequest.newBuilder().setChannel("demo").setUid(1)
                        .setRole(RtcRole.RTC_ROLE_SUBSCRIBER).build());
            }
            String config = Files.readString(COMPOSE_PROMETHEUS)
                    .replace("token-server:9464", "127.0.0.1:" + s.server.adminPort().orElseThrow())
                    .replace("token-gateway:9464", "127.0.0.1:" + freePort())
                    .replace("scrape_interval: 15s", "scrape_interval: 1s");
            assertThat(config).contains("job_name: token-server").contains("scrape_interval: 1s");
            Path file = Files.writeString(dir.resolve("prometheus.yml"), config);
            int web = freePort();
            Process prometheus = new ProcessBuilder("prometheus", "--config.file=" + file,
                    "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + web)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
            try {
                Pattern issued = Pattern.compile("\"value\":\\[[0-9.]+,\"([0-9.]+)\"]");
                String promql = "sum(tokenservice_tokens_issued_total{job=\"token-server\",service=\"rtc\"})";
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
                String answer = "";
                while (System.nanoTime() < deadline) {
                    try {
                        answer = query(web, promql);
                        Matcher m = issued.matcher(answer);
                        if (m.find() && Double.parseDouble(m.group(1)) == 3) {
                            break;
                        }
                    } catch (IOException notYetListening) {
                        // Prometheus is starting
                    }
                    Thread.sleep(200);
                }
                assertThat(answer).as("Prometheus' answer; its log: " + Files.readString(dir.resolve("prometheus.log")))
                        .containsPattern(issued.pattern().replace("([0-9.]+)", "3"));
                assertThat(query(web, "up{job=\"token-server\"}")).containsPattern("\"value\":\\[[0-9.]+,\"1\"]");
                assertThat(query(web, "sum(tokenservice_rpc_duration_seconds_count{job=\"token-server\",code=\"OK\"})"))
                        .containsPattern("\"value\":\\[[0-9.]+,\"3\"]");
            } finally {
                prometheus.destroy();
                assertThat(prometheus.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
            }
        }
    }
}
