package io.tokenservice.gateway.testing;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCalls;
import io.tokenservice.proto.v1.IssuedToken;
import io.tokenservice.proto.v1.TokenServiceGrpc;
import io.tokenservice.logging.LogSetup;
import io.tokenservice.logging.LoggingSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A stand-in for the token server that only records what reaches it (the deadline and the headers of each
 * call) and answers every issuing RPC with a placeholder token. It proves what the gateway sends, which
 * the real server cannot show: every other test runs against the real server.
 */
public final class ProbeBackend implements AutoCloseable {
    /** What one call brought. */
    public record Received(String method, Deadline deadline, Metadata headers) {}

    /**
     * The probe is a grpc-netty server in the test JVM, whose frame logger would write the headers the
     * tests send (the real server redacts them itself); held at INFO like the gateway's wire loggers, in
     * java.util.logging and in Logback (grpc-netty-shaded's Netty logs through slf4j when it is present).
     */
    private static final Logger FRAME_LOGGER = Logger.getLogger("io.grpc.netty.shaded.io.grpc.netty.NettyServerHandler");

    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final Server server;

    public ProbeBackend() {
        FRAME_LOGGER.setLevel(Level.INFO);
        LogSetup.holdAt(FRAME_LOGGER.getName(), LoggingSettings.Level.INFO);
        ServerServiceDefinition.Builder service = ServerServiceDefinition.builder(TokenServiceGrpc.getServiceDescriptor());
        for (MethodDescriptor<?, ?> method : TokenServiceGrpc.getServiceDescriptor().getMethods()) {
            add(service, method);
        }
        try {
            server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                    .addService(service.build())
                    .build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private <Q, R> void add(ServerServiceDefinition.Builder service, MethodDescriptor<Q, R> method) {
        ServerCallHandler<Q, R> answer = ServerCalls.asyncUnaryCall((request, observer) -> {
            if (method.getResponseMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<?> p
                    && p.getMessagePrototype() instanceof IssuedToken) {
                observer.onNext((R) IssuedToken.newBuilder().setToken("probe").build());
                observer.onCompleted();
            } else {
                observer.onError(Status.UNIMPLEMENTED.asRuntimeException());
            }
        });
        service.addMethod(method, new ServerCallHandler<Q, R>() {
            @Override
            public ServerCall.Listener<Q> startCall(ServerCall<Q, R> call, Metadata headers) {
                received.add(new Received(method.getBareMethodName(), Context.current().getDeadline(), headers));
                return answer.startCall(call, headers);
            }
        });
    }

    /** {@code localhost:<port>}. */
    public String target() {
        return "127.0.0.1:" + ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
    }

    /** The next call that reached it (waits up to 10 s). */
    public Received next() {
        try {
            Received call = received.poll(10, TimeUnit.SECONDS);
            if (call == null) {
                throw new AssertionError("no call reached the backend");
            }
            return call;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public void clear() {
        received.clear();
    }

    @Override
    public void close() {
        server.shutdownNow();
    }
}
