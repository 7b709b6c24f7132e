package io.tokenservice.gateway.testing;

import io.tokenservice.env.Environment;
import io.tokenservice.gateway.Gateway;
import io.tokenservice.gateway.config.GatewayConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The real gateway in the test JVM, configured exactly as {@code java -jar token-gateway.jar} is (an
 * environment map read by {@link GatewayConfig#fromEnvironment}), on an ephemeral port of 127.0.0.1, and a
 * plain HTTP client for it. {@link #start} returns once the gateway reports the token server healthy.
 */
public final class RunningGateway implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    public final Gateway gateway;
    public final HttpClient http;

    private RunningGateway(Gateway gateway, HttpClient http) {
        this.gateway = gateway;
        this.http = http;
    }

    /** A gateway in front of {@code server} with the given extra variables. */
    public static RunningGateway start(TokenServerProcess server, Map<String, String> env) {
        return start(server, env, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build());
    }

    /** The same, with the HTTP client to use (e.g. one that trusts the gateway's TLS certificate). */
    public static RunningGateway start(TokenServerProcess server, Map<String, String> env, HttpClient http) {
        Map<String, String> all = new HashMap<>(env);
        all.putIfAbsent(GatewayConfig.ENV_BACKEND_TARGET, server.target());
        RunningGateway running = startUnchecked(all, http);
        running.awaitHealthy();
        return running;
    }

    /** A gateway with exactly {@code env} (plus an ephemeral loopback port); does not wait for the backend. */
    public static RunningGateway startUnchecked(Map<String, String> env, HttpClient http) {
        Map<String, String> all = new HashMap<>(env);
        all.putIfAbsent(GatewayConfig.ENV_PORT, "0");
        all.putIfAbsent(GatewayConfig.ENV_BIND_ADDRESS, "127.0.0.1");
        Path workDir;
        try {
            workDir = Files.createTempDirectory("gateway-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new RunningGateway(Gateway.start(GatewayConfig.fromEnvironment(Environment.load(all, workDir))), http);
    }

    public int port() {
        return gateway.port();
    }

    /** A URI on the gateway; with TLS by the name its test certificates carry, localhost. */
    public URI uri(String pathAndQuery) {
        String host = gateway.config().tls().isPresent() ? "localhost" : "127.0.0.1";
        return URI.create(gateway.config().scheme() + "://" + host + ":" + port() + pathAndQuery);
    }

    /** Waits (bounded) until {@code /health} answers 200. */
    public void awaitHealthy() {
        awaitHealth(200);
    }

    /** Waits (bounded) until {@code /health} answers {@code status}. */
    public void awaitHealth(int status) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        int last = -1;
        while (System.nanoTime() < deadline) {
            last = get(Gateway.HEALTH_PATH, Map.of()).statusCode();
            if (last == status) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("health stayed " + last + ", expected " + status);
    }

    public HttpResponse<String> get(String pathAndQuery, Map<String, String> headers) {
        return send(request(pathAndQuery, headers).GET().build());
    }

    public HttpResponse<String> post(String path, String body, Map<String, String> headers) {
        return send(request(path, headers).POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    public HttpRequest.Builder request(String pathAndQuery, Map<String, String> headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(30));
        headers.forEach(builder::header);
        return builder;
    }

    public HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code Authorization: Bearer <key>}. */
    public static Map<String, String> bearer(String key) {
        return Map.of("Authorization", "Bearer " + key);
    }

    @Override
    public void close() {
        gateway.close();
    }
}
