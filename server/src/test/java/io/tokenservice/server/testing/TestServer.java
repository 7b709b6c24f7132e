package io.tokenservice.server.testing;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.tokenservice.proto.v1.TokenServiceGrpc;
import io.tokenservice.server.TokenServer;
import io.tokenservice.server.config.ServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A token server for one test class, on a real Netty server (ephemeral port) or in-process, with a
 * mutable clock, counting salts, a scripted access gate and a recording audit sink, plus a client.
 * Default apps: {@link TestApps#APP_ID} (primary CERT, secondary OLD_CERT).
 */
public final class TestServer implements AutoCloseable {
    public static final long FIRST_SALT = 1000;

    public final MutableClock clock = new MutableClock(TestApps.T0);
    public final RecordingAuditSink audit = new RecordingAuditSink();
    public final ScriptedGate gate = new ScriptedGate();
    private final AtomicLong salts = new AtomicLong(FIRST_SALT);
    public final TokenServer server;
    public final ManagedChannel channel;

    private TestServer(boolean netty, Consumer<ServerConfig.Builder> customize) {
        ServerConfig.Builder config = ServerConfig.builder()
                .grpcPort(0)
                .clock(clock)
                .saltSource(salts::getAndIncrement)
                .accessGate(gate)
                .auditSink(audit)
                .shutdownGrace(java.time.Duration.ofSeconds(5));
        customize.accept(config);
        ServerConfig built = config.build();
        built.apps().all().forEach(app -> TestSecrets.registerAll(app.certificates()));
        if (netty) {
            try {
                server = TokenServer.start(built);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            channel = Grpc.newChannelBuilderForAddress("localhost", server.port(), InsecureChannelCredentials.create())
                    .build();
        } else {
            String name = "token-server-test-" + UUID.randomUUID();
            server = TokenServer.startInProcess(name, built);
            channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        }
    }

    /** Netty on an ephemeral port, with APP_ID (CERT + secondary OLD_CERT). */
    public static TestServer netty() {
        return netty(b -> b.app(TestApps.APP_ID, TestApps.CERT, TestApps.OLD_CERT));
    }

    /** Netty on an ephemeral port; {@code customize} must add the apps. */
    public static TestServer netty(Consumer<ServerConfig.Builder> customize) {
        return new TestServer(true, customize);
    }

    /** In-process; {@code customize} must add the apps. */
    public static TestServer inProcess(Consumer<ServerConfig.Builder> customize) {
        return new TestServer(false, customize);
    }

    /** Fresh deadline for each call (the stub's deadline is absolute). */
    public TokenServiceGrpc.TokenServiceBlockingStub stub() {
        return TokenServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    /** Back to T0, allow-all, empty audit; salts keep counting. */
    public void reset() {
        clock.set(TestApps.T0);
        gate.reset();
        audit.clear();
    }

    public long nextSalt() {
        return salts.get();
    }

    @Override
    public void close() {
        channel.shutdownNow();
        server.close();
    }
}
