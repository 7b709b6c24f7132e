package io.tokenservice.benchmarks.load;

import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.tokenservice.core.issue.RtcIdentity;
import io.tokenservice.core.issue.RtcRole;
import io.tokenservice.core.issue.RtcTokenRequest;
import io.tokenservice.core.issue.SaltSource;
import io.tokenservice.core.issue.TokenIssuer;
import io.tokenservice.core.issue.TokenLimits;
import io.tokenservice.core.token.AppCredentials;
import io.tokenservice.proto.v1.IssueRtcTokenRequest;
import io.tokenservice.proto.v1.IssuedToken;
import io.tokenservice.proto.v1.TokenServiceGrpc;
import io.tokenservice.server.config.TransportSettings;
import io.tokenservice.server.rpc.DrainedResponses;
import io.tokenservice.server.rpc.ProtoGrants;
import io.tokenservice.server.transport.NettyTransport;
import java.time.Clock;

/**
 * The transport's floor: a TokenService whose IssueRtcToken does nothing (it answers every request with one
 * {@link IssuedToken} made at start, the size of a real answer), on grpc-netty-shaded with the token server's
 * own transport settings ({@link NettyTransport#configure}: event loops, direct executor, HTTP/2 and message
 * limits, keep-alive policy) and none of its interceptors. What it allocates per call under the load
 * generator is what grpc-java costs before any of our code runs; {@code FLOOR=1 benchmarks/profile-alloc}
 * measures it exactly as it measures the server.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.tokenservice.benchmarks.load.FloorServer PORT [drained]}; with
 * {@code drained} the answer goes out through {@link DrainedResponses} as the server's do, otherwise through
 * gRPC's own marshaller. Prints {@code listening on port PORT} on stderr once serving, and serves until killed.
 */
public final class FloorServer {
    private FloorServer() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 2 || args.length == 2 && !args[1].equals("drained")) {
            System.err.println("usage: FloorServer PORT [drained]");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        boolean drained = args.length == 2;
        // Without the authentication interceptor no call marks its connection authenticated, so the connection
        // guard would close the load's connection after its timeout: give it the longest one allowed.
        TransportSettings settings = TransportSettings.DEFAULTS.toBuilder()
                .unauthenticatedConnectionTimeout(TransportSettings.MAX_DURATION)
                .build();
        NettyServerBuilder builder = NettyServerBuilder.forPort(port, InsecureServerCredentials.create());
        NettyTransport transport = NettyTransport.configure(builder, settings);
        IssuedToken answer = sampleAnswer();
        Server server = builder.directExecutor()
                .maxInboundMessageSize(settings.maxRequestBytes())
                .addService(drained ? DrainedResponses.of(service(answer)) : service(answer))
                .build()
                .start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdownNow();
            transport.close();
        }));
        System.err.println("floor server listening on port " + server.getPort());
        server.awaitTermination();
    }

    private static ServerServiceDefinition service(IssuedToken answer) {
        return new TokenServiceGrpc.TokenServiceImplBase() {
            @Override
            public void issueRtcToken(IssueRtcTokenRequest request, StreamObserver<IssuedToken> responses) {
                responses.onNext(answer);
                responses.onCompleted();
            }
        }.bindService();
    }

    /** A real publisher token's answer for the load generator's default request, signed once. */
    private static IssuedToken sampleAnswer() {
        TokenIssuer issuer = new TokenIssuer(Clock.systemUTC(), SaltSource.secure(), TokenLimits.agoraDefault());
        AppCredentials app = new AppCredentials("0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210");
        return ProtoGrants.issuedToken(issuer.issueRtc(app,
                RtcTokenRequest.of("demo", RtcIdentity.uid(1234), RtcRole.PUBLISHER, 600)));
    }
}
