package io.tokenservice.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenservice.gateway.config.GatewayConfig;
import io.tokenservice.gateway.testing.RunningGateway;
import io.tokenservice.gateway.testing.TokenServerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /} serves the browser page from {@code GATEWAY_STATIC_DIR}, without shadowing any route. */
class StaticPageTest {
    @TempDir
    Path page;

    @Test
    void thePageIsServedBesideTheRoutes() throws IOException {
        Files.writeString(page.resolve("index.html"), "<!doctype html><title>tokens</title>");
        Files.writeString(page.resolve("app.js"), "console.log('app')");
        TokenServerProcess server = TokenServerProcess.shared();
        try (RunningGateway gateway = RunningGateway.start(server, Map.of(GatewayConfig.ENV_STATIC_DIR, page.toString()))) {
            assertThat(gateway.get("/", Map.of()).body()).contains("<title>tokens</title>");
            assertThat(gateway.get("/app.js", Map.of()).headers().firstValue("content-type").orElseThrow()).contains("javascript");
            assertThat(gateway.get("/ping", Map.of()).body()).isEqualTo("{\"message\":\"pong\"}");
            assertThat(gateway.get("/rtm/zoe", RunningGateway.bearer(server.apiKey("browser"))).statusCode()).isEqualTo(200);
            assertThat(gateway.get(Gateway.HEALTH_PATH, Map.of()).statusCode()).isEqualTo(200);
            assertThat(gateway.get("/../pom.xml", Map.of()).statusCode()).isIn(400, 404);
        }
        try (RunningGateway without = RunningGateway.start(server, Map.of())) {
            assertThat(without.get("/", Map.of()).statusCode()).as("no page configured or packaged").isEqualTo(404);
        }
    }
}
