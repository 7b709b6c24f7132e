package io.tokenservice.server.testing;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.tokenservice.proto.v1.TokenServiceGrpc;
import io.tokenservice.server.TokenServer;
import io.tokenservice.server.auth.BearerHeader;
import io.tokenservice.server.config.ServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A token server on a real Netty server (ephemeral port) or in-process, with a mutable clock, counting salts, a
 * scripted access gate and a recording audit sink, plus a client. For a whole test class, register a
 * {@link TokenServerExtension}; for one test, {@code try (TestServer s = TestServer.inProcess(...))}.
 * Default apps: {@link TestApps#APP_ID} (primary CERT, secondary OLD_CERT).
 */
public class TestServer implements AutoCloseable {
    public static final long FIRST_SALT = 1000;

    public final MutableClock clock = new MutableClock(TestApps.T0);
    public final RecordingAuditSink audit = new RecordingAuditSink();
    public final ScriptedGate gate = new ScriptedGate();
    private final AtomicLong salts = new AtomicLong(FIRST_SALT);
    private final boolean netty;
    private final Consumer<ServerConfig.Builder> customize;
    private TokenServer server;
    private ManagedChannel channel;

    protected TestServer(boolean netty, Consumer<ServerConfig.Builder> customize) {
        this.netty = netty;
        this.customize = customize;
    }

    /** Netty on an ephemeral port, with APP_ID (CERT + secondary OLD_CERT). */
    public static TestServer netty() {
        return netty(TestServer::defaultApps);
    }

    /** Netty on an ephemeral port; {@code customize} must add the apps. */
    public static TestServer netty(Consumer<ServerConfig.Builder> customize) {
        TestServer server = new TestServer(true, customize);
        server.start();
        return server;
    }

    /** In-process; {@code customize} must add the apps. */
    public static TestServer inProcess(Consumer<ServerConfig.Builder> customize) {
        TestServer server = new TestServer(false, customize);
        server.start();
        return server;
    }

    static void defaultApps(ServerConfig.Builder config) {
        config.app(TestApps.APP_ID, TestApps.CERT, TestApps.OLD_CERT);
    }

    /** What the server runs with beyond the test collaborators: by default the apps given at construction. */
    protected void configure(ServerConfig.Builder config) {
        customize.accept(config);
    }

    protected final void start() {
        ServerConfig.Builder config = ServerConfig.builder()
                .grpcPort(0)
                .clock(clock)
                .saltSource(salts::getAndIncrement)
                .accessGate(gate)
                .auditSink(audit)
                .shutdownGrace(Duration.ofSeconds(5));
        configure(config);
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

    /** The running server. */
    public TokenServer server() {
        return server;
    }

    /** A plaintext (or in-process) channel to it. */
    public ManagedChannel channel() {
        return channel;
    }

    /** Fresh deadline for each call (the stub's deadline is absolute). */
    public TokenServiceGrpc.TokenServiceBlockingStub stub() {
        return TokenServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    /** A stub sending {@code authorization: Bearer <key>} (fresh deadline). */
    public TokenServiceGrpc.TokenServiceBlockingStub as(String apiKey) {
        return stub().withCallCredentials(BearerHeader.bearer(apiKey));
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
        if (channel != null) {
            channel.shutdownNow();
        }
        if (server != null) {
            server.close();
        }
    }
}
