package io.tokenservice.client.it;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.tokenservice.client.TokenClient;
import io.tokenservice.server.TokenServer;
import io.tokenservice.server.auth.ApiKeyRegistry;
import io.tokenservice.server.auth.ClientCertificateMapping;
import io.tokenservice.server.config.DenyListSettings;
import io.tokenservice.server.config.SecuritySettings;
import io.tokenservice.server.config.ServerConfig;
import io.tokenservice.server.policy.CallerPolicy;
import io.tokenservice.server.ratelimit.RateLimit;
import io.tokenservice.server.security.CallerSecurity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real token server for the client's tests, in-process or over Netty on an ephemeral port, with a
 * throw-away app (random 32-hex app id and certificate), one API key (quick-start policy) and the test's
 * clock (optionally offset, to play a server whose clock differs from the client's). Counts the calls that
 * reach it per RPC, before authentication, so tests can tell "not retried" from "retried".
 *
 * <p>This is the only place that knows the server's embedding API: {@code TokenServer.start /
 * startInProcess / port / close}, {@code ServerConfig.builder()} and the caller security
 * ({@code SecuritySettings} of one quick-start key, {@code CallerSecurity.interceptor()} and {@code wire}).
 */
final class RealServer implements AutoCloseable {
    enum Transport { IN_PROCESS, NETTY }

    private static final SecureRandom RANDOM = new SecureRandom();

    final Transport transport;
    final String appId = hex32();
    final String apiKey = ApiKeyRegistry.generateKey(RANDOM);
    private final String certificate = hex32();
    private final Clock serverClock;
    private final Duration renewGrace;
    private final String inProcessName = "token-server-" + UUID.randomUUID();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    /** The server module's committed test certificates (for localhost and 127.0.0.1; see the README there). */
    private static final Path TLS_DIRECTORY = Path.of("..", "server", "src", "test", "resources", "tls");

    private final CallerSecurity security;
    private final boolean tls;
    private TokenServer server;
    private int port;

    RealServer(Transport transport, Clock clientClock, Duration serverClockOffset, Duration renewGrace) {
        this(transport, clientClock, serverClockOffset, renewGrace, false);
    }

    /** A Netty server with TLS (the server module's test certificate for localhost). */
    static RealServer withTls(Clock clock) {
        return new RealServer(Transport.NETTY, clock, Duration.ZERO, Duration.ofSeconds(60), true);
    }

    private RealServer(Transport transport, Clock clientClock, Duration serverClockOffset, Duration renewGrace,
            boolean tls) {
        this.transport = transport;
        this.tls = tls;
        this.serverClock = Clock.offset(clientClock, serverClockOffset);
        this.renewGrace = renewGrace;
        this.security = new CallerSecurity(new SecuritySettings(ApiKeyRegistry.parseEnvironmentValue(
                "client-tests=" + apiKey), ClientCertificateMapping.empty(), Map.of("client-tests",
                CallerPolicy.quickStart()), Map.of(), RateLimit.DEFAULT, DenyListSettings.NONE), event -> { });
        start();
    }

    private static String hex32() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** Counts every call, then authenticates it with the security layer. */
    private ServerInterceptor countingAuthenticator() {
        ServerInterceptor authenticate = security.interceptor();
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                    ServerCallHandler<Q, R> next) {
                calls.computeIfAbsent(call.getMethodDescriptor().getBareMethodName(), k -> new AtomicInteger())
                        .incrementAndGet();
                return authenticate.interceptCall(call, headers, next);
            }
        };
    }

    /** (Re)starts the server: on the same port or in-process name as before, so clients find it again. */
    void start() {
        if (server != null) {
            throw new IllegalStateException("already running");
        }
        ServerConfig.Builder builder = ServerConfig.builder()
                .grpcPort(port)
                .app(appId, certificate)
                .clock(serverClock)
                .renewGrace(renewGrace)
                .shutdownGrace(Duration.ofSeconds(1));
        if (tls) {
            builder.tls(TLS_DIRECTORY.resolve("server.crt"), TLS_DIRECTORY.resolve("server.key"));
        }
        ServerConfig config = security.wire(builder).authenticator(countingAuthenticator()).build();
        if (transport == Transport.IN_PROCESS) {
            server = TokenServer.startInProcess(inProcessName, config);
            return;
        }
        IOException last = null;
        for (int attempt = 0; attempt < 50; attempt++) {
            try {
                server = TokenServer.start(config);
                port = server.port();
                return;
            } catch (IOException e) {
                // Re-binding the same port right after a stop can briefly fail; that is the OS, not the test.
                if (!(e instanceof BindException) && !(e.getCause() instanceof BindException)) {
                    throw new UncheckedIOException(e);
                }
                last = e;
                Thread.onSpinWait();
            }
        }
        throw new UncheckedIOException("cannot re-bind port " + port, last);
    }

    /** Stops the server (clients then get UNAVAILABLE) until {@link #start()}. */
    void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    /** A client of this server with the given API key, stamping tokens with {@code clock}. */
    TokenClient client(String key, Clock clock) {
        TokenClient.Builder b = TokenClient.builder()
                .clock(clock)
                .deadline(Duration.ofSeconds(5))
                .retryBackoff(Duration.ofMillis(5), Duration.ofMillis(20), 2.0);
        if (transport == Transport.IN_PROCESS) {
            b.channelBuilder(InProcessChannelBuilder.forName(inProcessName));
        } else {
            b.target(target()).plaintext();
        }
        if (key != null) {
            b.apiKey(key);
        }
        return b.build();
    }

    /** The Netty server's {@code localhost:port}. */
    String target() {
        if (transport != Transport.NETTY) {
            throw new IllegalStateException("an in-process server has no network target");
        }
        return "localhost:" + port;
    }

    /** Calls of {@code rpc} (e.g. "RenewToken") that reached the server so far, authenticated or not. */
    int calls(String rpc) {
        AtomicInteger n = calls.get(rpc);
        return n == null ? 0 : n.get();
    }

    @Override
    public void close() {
        stop();
    }
}
