package io.tokenservice.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenservice.gateway.config.GatewayConfig;
import io.tokenservice.gateway.testing.RunningGateway;
import io.tokenservice.gateway.testing.TokenServerProcess;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Browsers on other origins: {@code GATEWAY_CORS_ORIGINS} origins get their preflight answered (the
 * headers gRPC-Web clients send allowed, the gRPC status headers exposed); other origins get no CORS
 * headers, so the browser refuses; without the variable no origin is allowed.
 */
class CorsTest {
    private static final String APP = "https://app.example.com";
    private static final String DEV = "http://localhost:5173";
    private static final String GRPC_WEB_PATH = "/tokenservice.v1.TokenService/IssueRtmToken";
    private static TokenServerProcess server;
    private static RunningGateway gateway;

    @BeforeAll
    static void start() {
        server = TokenServerProcess.shared();
        gateway = RunningGateway.start(server, Map.of(GatewayConfig.ENV_CORS_ORIGINS, APP + ", " + DEV));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    static HttpResponse<String> preflight(RunningGateway gateway, String origin, String path) {
        return gateway.send(gateway.request(path, Map.of("Origin", origin, "Access-Control-Request-Method", "POST",
                        "Access-Control-Request-Headers", "authorization,content-type,x-grpc-web,x-user-agent,grpc-timeout"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build());
    }

    @Test
    void anAllowedOriginsPreflightIsAnswered() {
        for (String origin : new String[] {APP, DEV}) {
            for (String path : new String[] {GRPC_WEB_PATH, "/v1/tokens/rtc", "/getToken"}) {
                HttpResponse<String> response = preflight(gateway, origin, path);
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.headers().firstValue("access-control-allow-origin")).hasValue(origin);
                assertThat(response.headers().firstValue("access-control-allow-methods").orElseThrow()).contains("POST");
                assertThat(response.headers().firstValue("access-control-allow-headers").orElseThrow().toLowerCase())
                        .contains("authorization", "content-type", "x-grpc-web", "grpc-timeout");
                assertThat(response.headers().firstValue("access-control-max-age")).hasValue("600");
            }
        }
    }

    @Test
    void anotherOriginsPreflightIsRefused() {
        HttpResponse<String> response = preflight(gateway, "https://evil.example.com", GRPC_WEB_PATH);
        assertThat(response.headers().firstValue("access-control-allow-origin")).isEmpty();
        assertThat(response.headers().firstValue("access-control-allow-headers")).isEmpty();
    }

    @Test
    void anAllowedOriginsCallSeesTheGrpcStatusHeaders() {
        HttpResponse<String> response = gateway.get("/rtm/zoe", Map.of("Origin", APP,
                "Authorization", "Bearer " + server.apiKey("browser")));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("access-control-allow-origin")).hasValue(APP);
        assertThat(response.headers().firstValue("access-control-expose-headers").orElseThrow())
                .contains("grpc-status", "grpc-message", "grpc-status-details-bin");
    }

    @Test
    void anyOriginOrNone() {
        try (RunningGateway any = RunningGateway.start(server, Map.of(GatewayConfig.ENV_CORS_ORIGINS, "*"))) {
            assertThat(preflight(any, "https://anywhere.example", GRPC_WEB_PATH).headers()
                    .firstValue("access-control-allow-origin")).isPresent();
        }
        try (RunningGateway none = RunningGateway.start(server, Map.of())) {
            assertThat(preflight(none, APP, GRPC_WEB_PATH).headers().firstValue("access-control-allow-origin")).isEmpty();
        }
    }
}
