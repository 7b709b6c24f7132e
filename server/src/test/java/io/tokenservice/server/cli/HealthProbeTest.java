package io.tokenservice.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.tokenservice.proto.v1.TokenServiceGrpc;
import io.tokenservice.server.testing.TokenServerExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The image's health check command against a real token server, a draining server and nothing at all. */
class HealthProbeTest {
    @RegisterExtension
    static final TokenServerExtension server = new TokenServerExtension();

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private static String target() {
        return "127.0.0.1:" + server.server().port();
    }

    private int probe(String... args) {
        return HealthProbe.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aServingServerIsHealthy() {
        assertThat(probe(target())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("SERVING");
    }

    @Test
    void theTokenServiceByNameIsHealthy() {
        assertThat(probe("--service", TokenServiceGrpc.SERVICE_NAME, "--timeout-seconds", "5", target())).isZero();
    }

    @Test
    void anUnknownServiceIsUnhealthy() {
        assertThat(probe("--service", "no.such.Service", target())).isEqualTo(1);
        assertThat(stderr()).contains("NOT_FOUND");
    }

    @Test
    void aDrainingServerIsUnhealthy() throws IOException {
        HealthStatusManager health = new HealthStatusManager();
        Server draining = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(health.getHealthService()).build().start();
        try {
            health.setStatus("", ServingStatus.SERVING);
            String drainingTarget = "127.0.0.1:" + draining.getPort();
            assertThat(probe(drainingTarget)).isZero();

            health.enterTerminalState();
            assertThat(probe(drainingTarget)).isEqualTo(1);
            assertThat(stderr()).contains("NOT_SERVING");
        } finally {
            draining.shutdownNow();
        }
    }

    @Test
    void nothingListeningIsUnhealthy() throws IOException {
        int freePort;
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            freePort = socket.getLocalPort();
        }
        assertThat(probe("--timeout-seconds", "5", "127.0.0.1:" + freePort)).isEqualTo(1);
        assertThat(stderr()).contains("UNAVAILABLE");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "localhost", "http://127.0.0.1:50051", "--bogus", "--service", "--timeout-seconds=0",
            "--timeout-seconds 0", "--timeout-seconds x", "127.0.0.1:1 127.0.0.1:2"})
    void badArgumentsAreUnhealthyNotDockersReservedCode(String line) {
        String[] args = line.isEmpty() ? new String[0] : line.split(" ");
        assertThat(probe(args)).isEqualTo(1);
        assertThat(stderr()).contains("usage: HealthProbe");
    }
}
