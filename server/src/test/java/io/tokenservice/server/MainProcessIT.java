package io.tokenservice.server;

import static io.tokenservice.server.MainTest.assertUnauthenticated;
import static io.tokenservice.server.testing.TestApps.APP_ID;
import static io.tokenservice.server.testing.TestApps.CERT;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.tokenservice.proto.v1.IssueRtcTokenRequest;
import io.tokenservice.proto.v1.IssuedToken;
import io.tokenservice.proto.v1.RtcRole;
import io.tokenservice.proto.v1.TokenServiceGrpc;
import io.tokenservice.server.auth.BearerHeader;
import io.tokenservice.server.testing.ServerProcess;
import io.tokenservice.server.testing.TestSecrets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server jar as a real process ({@code java -jar server/target/token-server.jar}): exit code and the one line of a refused start; the development
 * default's key on standard output, once, working, and never on standard error (the log), where gRPC's frame
 * logger at FINE shows the request headers redacted; audit lines on standard output; SIGTERM.
 */
class MainProcessIT {
    private static final long TIMEOUT_SECONDS = ServerProcess.TIMEOUT_SECONDS;
    private static final Pattern KEY_LINE = ServerProcess.KEY_LINE;

    @TempDir
    Path dir;

    @Test
    void aConfiguredAppWithoutCallerCredentialsExitsWith2AndOneLine() throws Exception {
        ServerProcess server = ServerProcess.start(dir, Map.of("APP_ID", APP_ID, "APP_CERTIFICATE", CERT,
                "GRPC_PORT", "0", "LOG_FORMAT", "plain"));
        Process process = server.process;
        ServerProcess.Lines out = server.out;
        ServerProcess.Lines err = server.err;

        assertThat(process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        out.finish();
        err.finish();
        assertThat(process.exitValue()).isEqualTo(2);
        assertThat(out.all).isEmpty();
        assertThat(err.all).hasSize(1);
        assertThat(err.all.get(0)).matches("\\S+ ERROR io\\.tokenservice\\.server\\.Main - configuration error: "
                + "no caller credentials configured: set TOKEN_SERVICE_API_KEYS=.*").doesNotContain(CERT);
    }

    @Test
    void theDevelopmentDefaultPrintsOneKeyThatWorksAndNeverLogsIt() throws Exception {
        // DEBUG turns on gRPC's frame logger (FINE), whose lines pass the redacting filter, then the JUL bridge.
        ServerProcess server = ServerProcess.start(dir, Map.of("GRPC_PORT", "0", "LOG_FORMAT", "plain",
                "LOG_LEVEL", "debug"));
        Process process = server.process;
        ServerProcess.Lines out = server.out;
        ServerProcess.Lines err = server.err;
        String key;
        IssuedToken issued;
        try {
            int port = server.awaitPort();
            Matcher keyLine = KEY_LINE.matcher(out.await(l -> KEY_LINE.matcher(l).matches(), "the key"));
            assertThat(keyLine.matches()).isTrue();
            key = TestSecrets.register(keyLine.group(1));

            ManagedChannel channel = Grpc.newChannelBuilderForAddress("localhost", port,
                    InsecureChannelCredentials.create()).build();
            try {
                assertThat(HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .check(HealthCheckRequest.getDefaultInstance()).getStatus())
                        .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
                IssueRtcTokenRequest request = IssueRtcTokenRequest.newBuilder().setChannel("demo").setUid(1234)
                        .setRole(RtcRole.RTC_ROLE_PUBLISHER).build();
                assertUnauthenticated(() -> TokenServiceGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(10, TimeUnit.SECONDS).issueRtcToken(request));
                issued = TokenServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .withCallCredentials(BearerHeader.bearer(key)).issueRtcToken(request);
                assertThat(issued.getToken()).startsWith("007");
            } finally {
                channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
            out.await(l -> l.startsWith("{\"time\":") && l.contains("\"outcome\":\"UNAUTHENTICATED\""), "audit: refused");
            out.await(l -> l.startsWith("{\"time\":") && l.contains("\"caller\":\"dev\"")
                    && l.contains("\"outcome\":\"OK\""), "audit: issued");
            err.await(l -> l.contains("INBOUND HEADERS") && l.contains("authorization: [redacted]"),
                    "the frame log of the authenticated request");
        } finally {
            // SIGTERM: graceful shutdown. (Process.destroy() would also close our ends of its pipes, and the
            // shutdown lines would be lost.)
            process.toHandle().destroy();
            assertThat(process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        }
        out.finish();
        err.finish();

        assertThat(err.all).anySatisfy(l -> assertThat(l).contains("DEVELOPMENT MODE"))
                .anySatisfy(l -> assertThat(l).contains("Main - shutting down: draining in-flight calls"))
                .anySatisfy(l -> assertThat(l).endsWith("Main - stopped"))
                .noneSatisfy(l -> assertThat(l).contains(key))
                .noneSatisfy(l -> assertThat(l).contains(issued.getToken()))
                .noneSatisfy(l -> assertThat(l).startsWith("{\"time\":"));
        assertThat(out.all.stream().filter(l -> l.contains(key))).as("stdout lines with the key").hasSize(1);
        assertThat(out.all.stream().filter(l -> l.contains("tsk_"))).hasSize(1);
        assertThat(out.all).noneSatisfy(l -> assertThat(l).contains(issued.getToken()));
    }

    @Test
    void theAuditLogIsWrittenWhateverTheApplicationLogLevel() throws Exception {
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        // At LOG_LEVEL=error the server logs nothing when it starts; the development key on standard output
        // comes once it serves.
        try (ServerProcess server = ServerProcess.start(dir, Map.of("GRPC_PORT", Integer.toString(port),
                "LOG_LEVEL", "error"))) {
            Matcher keyLine = KEY_LINE.matcher(server.out.await(l -> KEY_LINE.matcher(l).matches(), "the key"));
            assertThat(keyLine.matches()).isTrue();
            String key = TestSecrets.register(keyLine.group(1));
            ManagedChannel channel = Grpc.newChannelBuilderForAddress("localhost", port,
                    InsecureChannelCredentials.create()).build();
            try {
                IssuedToken issued = TokenServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .withCallCredentials(BearerHeader.bearer(key)).issueRtcToken(IssueRtcTokenRequest.newBuilder()
                                .setChannel("demo").setUid(1234).setRole(RtcRole.RTC_ROLE_PUBLISHER).build());
                assertThat(issued.getToken()).startsWith("007");
            } finally {
                channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
            server.out.await(l -> l.startsWith("{\"time\":") && l.contains("\"outcome\":\"OK\""),
                    "the audit line of the issued token on standard output");
        }
    }
}
