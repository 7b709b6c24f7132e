package io.tokenservice.server;

import static io.tokenservice.server.testing.TestApps.APP_ID;
import static io.tokenservice.server.testing.TestApps.FOREIGN_CERT;
import static io.tokenservice.server.testing.TestApps.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.StatusRuntimeException;
import io.tokenservice.proto.v1.InspectTokenRequest;
import io.tokenservice.proto.v1.IssueRtcTokenRequest;
import io.tokenservice.proto.v1.IssuedToken;
import io.tokenservice.proto.v1.RenewTokenRequest;
import io.tokenservice.proto.v1.RtcRole;
import io.tokenservice.server.access.AuditEvent;
import io.tokenservice.server.testing.LogCapture;
import io.tokenservice.server.testing.TestApps;
import io.tokenservice.server.testing.TestServer;
import io.tokenservice.server.testing.TestTokens;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * No certificate or token in any log line (every logger, every level, including gRPC's and Netty's),
 * audit event or error message, across successes, refusals and server bugs.
 */
class NoSecretsInLogsTest {
    @Test
    void noSecretAnywhere() {
        List<String> tokens = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        Logger grpc = Logger.getLogger("io.grpc");
        Level grpcLevel = grpc.getLevel();
        try (LogCapture log = LogCapture.all(); TestServer server = TestServer.netty()) {
            grpc.setLevel(Level.ALL);
            IssuedToken issued = server.stub().issueRtcToken(IssueRtcTokenRequest.newBuilder().setChannel("room")
                    .setUid(1).setRole(RtcRole.RTC_ROLE_PUBLISHER).setIncludeRtm(true).build());
            tokens.add(issued.getToken());
            String tampered = TestTokens.tamper(issued.getToken(), "room", "ROOM");
            String foreign = TestTokens.sign(FOREIGN_CERT, APP_ID, T0.getEpochSecond(), 600,
                    TestTokens.rtcPublisher("room", "1", 600));
            tokens.add(tampered);
            tokens.add(foreign);

            tokens.add(server.stub().renewToken(RenewTokenRequest.newBuilder().setToken(issued.getToken()).build()).getToken());
            server.stub().inspectToken(InspectTokenRequest.newBuilder().setToken(tampered).setChannel("room").setUid(2).build());
            for (String bad : List.of(tampered, foreign, issued.getToken().substring(0, 50), "006" + issued.getToken())) {
                try {
                    server.stub().renewToken(RenewTokenRequest.newBuilder().setToken(bad).build());
                } catch (StatusRuntimeException e) {
                    errors.add(e.getStatus() + " " + e.getTrailers());
                }
            }
            server.clock.advance(Duration.ofDays(1));
            try {
                server.stub().renewToken(RenewTokenRequest.newBuilder().setToken(issued.getToken()).build());
            } catch (StatusRuntimeException e) {
                errors.add(e.getStatus() + " " + e.getTrailers());
            }
            server.gate.behave((caller, request) -> {
                throw new IllegalStateException("bug");
            });
            try {
                server.stub().renewToken(RenewTokenRequest.newBuilder().setToken(issued.getToken()).build());
            } catch (StatusRuntimeException e) {
                errors.add(e.getStatus() + " " + e.getTrailers());
            }

            assertThat(errors).hasSize(6);
            List<String> everything = new ArrayList<>(log.lines());
            everything.addAll(errors);
            for (AuditEvent event : server.audit.events()) {
                everything.add(event.toString());
            }
            everything.add(server.server().config().toString());
            assertThat(everything).isNotEmpty();
            for (String text : everything) {
                for (String secret : TestApps.SECRETS) {
                    assertThat(text).doesNotContain(secret);
                }
                for (String token : tokens) {
                    assertThat(text).doesNotContain(token).doesNotContain(token.substring(3, 40));
                }
            }
        } finally {
            grpc.setLevel(grpcLevel);
        }
    }
}
