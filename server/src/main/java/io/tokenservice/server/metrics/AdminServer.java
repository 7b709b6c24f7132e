package io.tokenservice.server.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The admin HTTP port: {@code GET /metrics} (Prometheus text format 0.0.4) and nothing else (404; 405 for other
 * methods on {@code /metrics}). Plain HTTP on its own port and address, served by one thread of its own so a slow
 * scraper never touches the gRPC transport threads.
 */
public final class AdminServer implements AutoCloseable {
    public static final String METRICS_PATH = "/metrics";
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;

    private AdminServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * @param address where to listen (port 0 = any free port: see {@link #port()})
     * @param metrics the text to serve, made at each scrape
     * @throws IOException if the address cannot be bound
     */
    public static AdminServer start(InetSocketAddress address, Supplier<String> metrics) throws IOException {
        HttpServer server = HttpServer.create(address, 16);
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "tokenservice-admin-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            try (exchange) {
                if (!exchange.getRequestURI().getPath().equals(METRICS_PATH)) {
                    reply(exchange, 404, "text/plain; charset=utf-8", "not found; metrics are at " + METRICS_PATH + "\n");
                } else if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                    exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                    reply(exchange, 405, "text/plain; charset=utf-8", "method not allowed\n");
                } else {
                    reply(exchange, 200, CONTENT_TYPE, metrics.get());
                }
            }
        });
        server.start();
        return new AdminServer(server, executor);
    }

    private static void reply(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
