package io.tokenservice.server;

import static io.tokenservice.server.testing.TestApps.APP_ID;
import static io.tokenservice.server.testing.TestApps.CERT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ConnectivityState;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tokenservice.proto.v1.IssueRtmTokenRequest;
import io.tokenservice.proto.v1.IssuedToken;
import io.tokenservice.proto.v1.TokenServiceGrpc;
import io.tokenservice.server.config.ServerConfig;
import io.tokenservice.server.testing.LogCapture;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/**
 * close() on a real Netty server with calls in flight. A call is held in flight by sending its request
 * but not yet half-closing: the server has the stream open and runs the unary handler only on the
 * half-close, so no thread blocks.
 */
class GracefulShutdownTest {
    /** Counts calls the server has received the headers of. */
    private static final class Arrivals implements ServerInterceptor {
        final CountDownLatch arrived = new CountDownLatch(1);

        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                ServerCallHandler<Q, R> next) {
            arrived.countDown();
            return next.startCall(call, headers);
        }
    }

    /** A client call and its outcome. */
    private static final class PendingCall extends ClientCall.Listener<IssuedToken> {
        final CompletableFuture<Status> closed = new CompletableFuture<>();
        volatile IssuedToken response;
        final ClientCall<IssueRtmTokenRequest, IssuedToken> call;

        PendingCall(ManagedChannel channel) {
            call = channel.newCall(TokenServiceGrpc.getIssueRtmTokenMethod(),
                    CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS));
            call.start(this, new Metadata());
            call.request(1);
            call.sendMessage(IssueRtmTokenRequest.newBuilder().setUserId("late-user").build());
        }

        /** A unary handler runs when the client half-closes; until then the call is in flight. */
        void finish() {
            call.halfClose();
        }

        @Override
        public void onMessage(IssuedToken message) {
            response = message;
        }

        @Override
        public void onClose(Status status, Metadata trailers) {
            closed.complete(status);
        }
    }

    private static ManagedChannel channel(int port) {
        return Grpc.newChannelBuilderForAddress("localhost", port, InsecureChannelCredentials.create()).build();
    }

    /** Completes when the channel loses its READY connection (the server's GOAWAY). */
    private static CompletableFuture<Void> goAway(ManagedChannel channel) {
        CompletableFuture<Void> lost = new CompletableFuture<>();
        assertThat(channel.getState(false)).isEqualTo(ConnectivityState.READY);
        channel.notifyWhenStateChanged(ConnectivityState.READY, () -> lost.complete(null));
        return lost;
    }

    @Test
    void callsInFlightFinishWhileTheServerStopsAcceptingNewOnes() throws Exception {
        Arrivals arrivals = new Arrivals();
        TokenServer server = TokenServer.start(ServerConfig.builder().grpcPort(0).app(APP_ID, CERT)
                .shutdownGrace(Duration.ofSeconds(20)).interceptor(arrivals).build());
        ManagedChannel channel = channel(server.port());
        try {
            PendingCall inFlight = new PendingCall(channel);
            assertThat(arrivals.arrived.await(10, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Void> goAway = goAway(channel);

            CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
            goAway.get(10, TimeUnit.SECONDS);

            assertThat(closing).as("close() waits for the call in flight").isNotDone();
            assertThat(server.isTerminated()).isFalse();
            ManagedChannel newcomer = channel(server.port());
            try {
                StatusRuntimeException refused = catchThrowableOfType(StatusRuntimeException.class,
                        () -> TokenServiceGrpc.newBlockingStub(newcomer).withDeadlineAfter(5, TimeUnit.SECONDS)
                                .issueRtmToken(IssueRtmTokenRequest.newBuilder().setUserId("u").build()));
                assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            } finally {
                newcomer.shutdownNow();
            }

            inFlight.finish();

            assertThat(inFlight.closed.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);
            assertThat(inFlight.response.getToken()).startsWith("007");
            closing.get(10, TimeUnit.SECONDS);
            assertThat(server.isTerminated()).isTrue();
        } finally {
            channel.shutdownNow();
            server.close();
        }
    }

    @Test
    void callsStillRunningAfterTheGraceAreCancelled() throws Exception {
        Arrivals arrivals = new Arrivals();
        Duration grace = Duration.ofMillis(300);
        TokenServer server = TokenServer.start(ServerConfig.builder().grpcPort(0).app(APP_ID, CERT)
                .shutdownGrace(grace).interceptor(arrivals).build());
        ManagedChannel channel = channel(server.port());
        try (LogCapture log = LogCapture.of(TokenServer.class.getName())) {
            PendingCall stuck = new PendingCall(channel);
            assertThat(arrivals.arrived.await(10, TimeUnit.SECONDS)).isTrue();

            long started = System.nanoTime();
            server.close();
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertThat(took).isGreaterThanOrEqualTo(grace).isLessThan(Duration.ofSeconds(10));
            assertThat(server.isTerminated()).isTrue();
            assertThat(stuck.closed.get(10, TimeUnit.SECONDS).getCode())
                    .isIn(Status.Code.UNAVAILABLE, Status.Code.CANCELLED);
            assertThat(log.messages(Level.WARNING)).anySatisfy(m -> assertThat(m)
                    .contains("still running after the shutdown grace"));
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void closeIsIdempotentAndQuickWhenIdle() throws Exception {
        TokenServer server = TokenServer.start(ServerConfig.builder().grpcPort(0).app(APP_ID, CERT).build());

        server.close();
        server.close();

        assertThat(server.isTerminated()).isTrue();
    }
}
