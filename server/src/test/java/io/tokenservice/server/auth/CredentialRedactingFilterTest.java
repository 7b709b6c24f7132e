package io.tokenservice.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.StatusRuntimeException;
import io.tokenservice.proto.v1.IssueRtcTokenRequest;
import io.tokenservice.proto.v1.TokenServiceGrpc;
import io.tokenservice.server.testing.LogCapture;
import io.tokenservice.server.testing.TestSecrets;
import io.tokenservice.server.transport.TransportLogThrottle;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class CredentialRedactingFilterTest {
    private static final String KEY = TestSecrets.register("tsk_frame_logger_key_0000000000");

    @Test
    void redactsHeaderValuesAndBearerCredentials() {
        assertThat(CredentialRedactingFilter.redact("headers=[:path: /x, authorization: Bearer abc.def, te: trailers]"))
                .isEqualTo("headers=[:path: /x, authorization: [redacted], te: trailers]");
        assertThat(CredentialRedactingFilter.redact("sent Bearer abc123 to x")).isEqualTo("sent [redacted] to x");
        assertThat(CredentialRedactingFilter.redact("Authorization=Basic Zm9v")).isEqualTo("Authorization=[redacted]");
        assertThat(CredentialRedactingFilter.redact("nothing to see")).isEqualTo("nothing to see");

        LogRecord r = new LogRecord(Level.INFO, "key {0}");
        r.setParameters(new Object[] {"Bearer " + KEY, 42});
        assertThat(new CredentialRedactingFilter().isLoggable(r)).isTrue();
        assertThat(r.getParameters()).containsExactly("[redacted]", 42);
    }

    /** grpc-netty's frame logger writes request headers at FINE; with the filter no key gets through. */
    @Test
    void frameLoggerAtFineLeaksNoKeyThroughTheFilter() throws Exception {
        Logger grpc = Logger.getLogger("io.grpc.netty.shaded.io.grpc.netty");
        Level before = grpc.getLevel();
        Authenticator auth = new Authenticator(ApiKeyRegistry.builder().addKey("web", KEY).build(),
                ClientCertificateMapping.empty());
        try (LogCapture raw = LogCapture.all(); LogCapture filtered = LogCapture.all()) {
            filtered.setFilter(new CredentialRedactingFilter());
            grpc.setLevel(Level.FINE);
            Server server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                    .addService(ServerInterceptors.intercept(new TokenServiceGrpc.TokenServiceImplBase() {},
                            new AuthenticationInterceptor(auth)))
                    .build().start();
            ManagedChannel channel = Grpc.newChannelBuilderForAddress("localhost", server.getPort(),
                    InsecureChannelCredentials.create()).build();
            try {
                TokenServiceGrpc.newBlockingStub(channel).withCallCredentials(BearerHeader.bearer(KEY))
                        .issueRtcToken(IssueRtcTokenRequest.getDefaultInstance());
            } catch (StatusRuntimeException expected) {
                // UNIMPLEMENTED: only the headers matter here
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                grpc.setLevel(before);
            }
            List<String> leaking = raw.linesContaining(KEY);
            if (!leaking.isEmpty()) { // documents why the filter exists (depends on the grpc-netty version)
                assertThat(leaking).anyMatch(l -> l.contains("HEADERS"));
            }
            assertThat(filtered.linesContaining(KEY)).isEmpty();
            assertThat(filtered.lines()).anyMatch(l -> l.contains("authorization: [redacted]"));
        }
    }

    /** Installed on the frame loggers, even a handler without filter never sees the key. */
    @Test
    void installedOnTheFrameLoggersEveryHandlerIsSafe() throws Exception {
        CredentialRedactingFilter.installOnFrameLoggers();
        CredentialRedactingFilter.installOnFrameLoggers();
        Logger grpc = Logger.getLogger("io.grpc");
        Level before = grpc.getLevel();
        Authenticator auth = new Authenticator(ApiKeyRegistry.builder().addKey("web", KEY).build(),
                ClientCertificateMapping.empty());
        try (LogCapture raw = LogCapture.all()) {
            grpc.setLevel(Level.ALL);
            Server server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                    .addService(ServerInterceptors.intercept(new TokenServiceGrpc.TokenServiceImplBase() {},
                            new AuthenticationInterceptor(auth)))
                    .build().start();
            ManagedChannel channel = Grpc.newChannelBuilderForAddress("localhost", server.getPort(),
                    InsecureChannelCredentials.create()).build();
            try {
                TokenServiceGrpc.newBlockingStub(channel).withCallCredentials(BearerHeader.bearer(KEY))
                        .issueRtcToken(IssueRtcTokenRequest.getDefaultInstance());
            } catch (StatusRuntimeException expected) {
                // UNIMPLEMENTED
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                grpc.setLevel(before);
            }
            assertThat(raw.lines()).anyMatch(l -> l.contains("INBOUND HEADERS"));
            assertThat(raw.linesContaining(KEY)).isEmpty();
            // The transport's log throttle may sit in front of it (servers of earlier tests installed it).
            assertThat(Logger.getLogger(CredentialRedactingFilter.FRAME_LOGGERS.get(0)).getFilter())
                    .isInstanceOfAny(CredentialRedactingFilter.class, TransportLogThrottle.class);
        }
    }
}
