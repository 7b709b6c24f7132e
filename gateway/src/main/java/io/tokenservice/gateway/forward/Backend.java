package io.tokenservice.gateway.forward;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.Deadline;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.tokenservice.env.EnvironmentException;
import io.tokenservice.env.FileProblems;
import io.tokenservice.gateway.config.GatewayConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's connection to the token server: one gRPC channel (grpc-netty, plaintext or TLS), shared by
 * every call. Callbacks run on the channel's own threads, never blocked by the gateway.
 */
public final class Backend implements AutoCloseable {
    /** Responses are tokens and token descriptions, a few kilobytes at most. */
    private static final int MAX_RESPONSE_BYTES = 1024 * 1024;
    private static final long CLOSE_WAIT_SECONDS = 5;

    private final ManagedChannel channel;
    private final String target;

    private Backend(ManagedChannel channel, String target) {
        this.channel = channel;
        this.target = target;
    }

    /**
     * Opens the channel (it connects on first use).
     *
     * @throws EnvironmentException if the target or the CA file cannot be used
     */
    public static Backend connect(GatewayConfig config) {
        ChannelCredentials credentials = credentials(config.backendTls());
        try {
            ManagedChannel channel = Grpc.newChannelBuilder(config.backendTarget(), credentials)
                    .directExecutor()
                    .userAgent("token-gateway")
                    .maxInboundMessageSize(MAX_RESPONSE_BYTES)
                    .build();
            return new Backend(channel, config.backendTarget());
        } catch (IllegalArgumentException e) {
            throw new EnvironmentException(GatewayConfig.ENV_BACKEND_TARGET + ": not a usable gRPC target ("
                    + e.getMessage() + ")");
        }
    }

    private static ChannelCredentials credentials(GatewayConfig.BackendTls tls) {
        if (!tls.enabled()) {
            return InsecureChannelCredentials.create();
        }
        if (tls.trustedCas().isEmpty()) {
            return TlsChannelCredentials.create();
        }
        Path file = tls.trustedCas().get();
        String problem = "";
        try (InputStream in = Files.newInputStream(file)) {
            if (CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
                problem = "no PEM certificate in it";
            } else {
                return TlsChannelCredentials.newBuilder().trustManager(file.toFile()).build();
            }
        } catch (IOException e) {
            problem = FileProblems.describe(e);
        } catch (CertificateException | IllegalArgumentException e) {
            problem = "not a PEM certificate file";
        }
        throw new EnvironmentException(GatewayConfig.ENV_BACKEND_CA + ": " + file + " cannot be used: " + problem);
    }

    public Channel channel() {
        return channel;
    }

    /** The token server's address as configured, for log lines. */
    public String target() {
        return target;
    }

    /**
     * One unary call with the given caller headers and deadline. Completes with the response, or
     * exceptionally with a {@link StatusRuntimeException} carrying the server's status and trailers.
     */
    public <Q, R> CompletableFuture<R> call(MethodDescriptor<Q, R> method, Q request, Metadata headers,
            Deadline deadline) {
        CompletableFuture<R> result = new CompletableFuture<>();
        ClientCall<Q, R> call = channel.newCall(method, CallOptions.DEFAULT.withDeadline(deadline));
        call.start(new ClientCall.Listener<>() {
            private R response;

            @Override
            public void onMessage(R message) {
                response = message;
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
                if (status.isOk() && response != null) {
                    result.complete(response);
                } else if (status.isOk()) {
                    result.completeExceptionally(Status.INTERNAL
                            .withDescription("the token service closed the call without a response").asRuntimeException());
                } else {
                    result.completeExceptionally(status.asRuntimeException(trailers));
                }
            }
        }, headers);
        call.request(2);
        call.sendMessage(request);
        call.halfClose();
        return result;
    }

    /** Reconnects now instead of after the growing back-off of a channel whose server was down. */
    public void reconnectNow() {
        channel.resetConnectBackoff();
    }

    /** Lets calls in flight finish for a few seconds, then cancels the rest. */
    @Override
    public void close() {
        channel.shutdown();
        try {
            if (!channel.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                channel.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            channel.shutdownNow();
        }
    }
}
