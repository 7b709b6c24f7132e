package io.tokenservice.gateway;

import static io.tokenservice.gateway.testing.RunningGateway.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tokenservice.gateway.config.GatewayConfig;
import io.tokenservice.gateway.testing.RunningGateway;
import io.tokenservice.gateway.testing.TokenServerProcess;
import io.tokenservice.proto.v1.IssueRtmTokenRequest;
import io.tokenservice.proto.v1.TokenServiceGrpc;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The token server stopped (SIGTERM) or frozen (SIGSTOP: connections accepted, nothing answered) while the
 * gateway runs: every protocol gets a clean UNAVAILABLE / 503 or DEADLINE_EXCEEDED / 504 within the
 * deadline, never a hang or a 500, without the server's address; health follows; once the server is back,
 * calls work again without restarting the gateway.
 */
class BackendFaultsTest {
    private static final long CALL_TIMEOUT_SECONDS = 2;
    /** Generous slack for a loaded machine; the point is "bounded", not "fast". */
    private static final Duration SLACK = Duration.ofSeconds(3);
    private static TokenServerProcess server;
    private static RunningGateway gateway;
    private static ManagedChannel channel;
    private static Map<String, String> auth;

    @BeforeAll
    static void start() {
        server = TokenServerProcess.start("faults");
        gateway = RunningGateway.start(server, Map.of(GatewayConfig.ENV_CALL_TIMEOUT, Long.toString(CALL_TIMEOUT_SECONDS)));
        channel = Grpc.newChannelBuilderForAddress("127.0.0.1", gateway.port(), InsecureChannelCredentials.create()).build();
        auth = bearer(server.apiKey("faults"));
    }

    @AfterAll
    static void stop() {
        channel.shutdownNow();
        gateway.close();
        server.close();
    }

    private static final IssueRtmTokenRequest RTM = IssueRtmTokenRequest.newBuilder().setUserId("zoe").build();

    private static StatusRuntimeException grpcFailure(long deadlineMillis) {
        return catchThrowableOfType(StatusRuntimeException.class, () -> TokenServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS).issueRtmToken(RTM));
    }

    private static void assertClassicError(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.body()).contains("\"code\":\"" + code + "\"").doesNotContain(Integer.toString(server.port()));
    }

    @Test
    void aStoppedServerIsUnavailableAtOnceAndUsedAgainWhenItIsBack() {
        assertThat(gateway.get("/rtm/zoe", auth).statusCode()).isEqualTo(200);
        server.stop();
        try {
            long started = System.nanoTime();
            assertClassicError(gateway.get("/rtm/zoe", auth), 503, "UNAVAILABLE");
            StatusRuntimeException grpc = grpcFailure(10_000);
            assertThat(grpc.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(grpc.getStatus().getDescription()).doesNotContain("localhost").doesNotContain(Integer.toString(server.port()));
            HttpResponse<String> json = gateway.post("/v1/tokens/rtm", "{\"userId\":\"zoe\"}",
                    Map.of("Content-Type", "application/json", "Authorization", auth.get("Authorization")));
            assertThat(json.statusCode()).isEqualTo(503);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("failing fast, not waiting for deadlines")
                    .isLessThan(Duration.ofSeconds(CALL_TIMEOUT_SECONDS).plus(SLACK));
            gateway.awaitHealth(503);
        } finally {
            server.launch();
        }
        gateway.awaitHealthy();
        assertThat(gateway.get("/rtm/zoe", auth).statusCode()).isEqualTo(200);
        assertThat(TokenServiceGrpc.newBlockingStub(channel).withCallCredentials(GrpcWebAndJsonTest.bearerCredentials(
                server.apiKey("faults"))).withDeadlineAfter(10, TimeUnit.SECONDS).issueRtmToken(RTM).getToken()).startsWith("007");
    }

    @Test
    void aServerThatDoesNotAnswerIsADeadlineExceededWithinTheDeadline() {
        assertThat(gateway.get("/rtm/zoe", auth).statusCode()).isEqualTo(200);
        server.freeze();
        try {
            long started = System.nanoTime();
            StatusRuntimeException callersDeadline = grpcFailure(500);
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertThat(callersDeadline.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
            assertThat(took).as("the caller's 500 ms deadline, not the gateway's " + CALL_TIMEOUT_SECONDS + " s")
                    .isLessThan(Duration.ofMillis(500).plus(SLACK));

            started = System.nanoTime();
            StatusRuntimeException capped = catchThrowableOfType(StatusRuntimeException.class,
                    () -> TokenServiceGrpc.newBlockingStub(channel).issueRtmToken(RTM));
            took = Duration.ofNanos(System.nanoTime() - started);
            assertThat(capped.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
            assertThat(took).as("no deadline: the gateway's call timeout")
                    .isBetween(Duration.ofSeconds(CALL_TIMEOUT_SECONDS).minusMillis(100), Duration.ofSeconds(CALL_TIMEOUT_SECONDS).plus(SLACK));

            started = System.nanoTime();
            assertClassicError(gateway.get("/rtc/team-1/publisher/uid/5", auth), 504, "DEADLINE_EXCEEDED");
            HttpResponse<String> json = gateway.post("/v1/tokens/rtm", "{\"userId\":\"zoe\"}",
                    Map.of("Content-Type", "application/json", "Authorization", auth.get("Authorization")));
            assertThat(json.statusCode()).isEqualTo(504);
            assertThat(Duration.ofNanos(System.nanoTime() - started))
                    .isLessThan(Duration.ofSeconds(2 * CALL_TIMEOUT_SECONDS).plus(SLACK));
            gateway.awaitHealth(503);
        } finally {
            server.thaw();
        }
        gateway.awaitHealthy();
        assertThat(gateway.get("/rtm/zoe", auth).statusCode()).isEqualTo(200);
    }
}
