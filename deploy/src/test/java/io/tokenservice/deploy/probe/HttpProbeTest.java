package io.tokenservice.deploy.probe;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The gateway image's health check against a real HTTP server on a loopback port. */
class HttpProbeTest {
    private static HttpServer server;
    private static String base;

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeAll
    static void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/ping", exchange -> {
            byte[] body = "{\"message\":\"pong\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.createContext("/draining", exchange -> {
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        server.createContext("/moved", exchange -> {
            exchange.getResponseHeaders().add("Location", "/ping");
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    private int probe(String... args) {
        return HttpProbe.run(args, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void pongIsHealthy() {
        assertThat(probe(base + "/ping")).isZero();
        assertThat(probe("--timeout-seconds", "5", base + "/ping")).isZero();
    }

    @Test
    void anErrorStatusIsUnhealthy() {
        assertThat(probe(base + "/draining")).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("HTTP 503");
    }

    @Test
    void aRedirectIsNotFollowedAndIsUnhealthy() {
        assertThat(probe(base + "/moved")).isEqualTo(1);
    }

    @Test
    void nothingListeningIsUnhealthy() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        assertThat(probe("http://127.0.0.1:" + port + "/ping")).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("ConnectException");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "127.0.0.1:8080/ping", "--timeout-seconds 0 http://127.0.0.1:1/",
            "--timeout-seconds x http://127.0.0.1:1/", "http://127.0.0.1:1/ http://127.0.0.1:2/", "--bogus"})
    void badArgumentsAreUnhealthyNotDockersReservedCode(String line) {
        assertThat(probe(line.isEmpty() ? new String[0] : line.split(" "))).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("usage: HttpProbe");
    }
}
