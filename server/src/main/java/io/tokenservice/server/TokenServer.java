package io.tokenservice.server;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.TlsServerCredentials;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.tokenservice.core.issue.TokenIssuer;
import io.tokenservice.proto.v1.TokenServiceGrpc;
import io.tokenservice.server.config.ConfigException;
import io.tokenservice.server.config.ServerConfig;
import io.tokenservice.server.config.TlsConfig;
import io.tokenservice.server.inspect.InspectHandler;
import io.tokenservice.server.issue.IssueHandler;
import io.tokenservice.server.renew.RenewHandler;
import io.tokenservice.server.rpc.UnaryCalls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The running token service: tokenservice.v1.TokenService, the standard gRPC health service
 * (grpc.health.v1, for Kubernetes probes) and server reflection (v1 and v1alpha, for grpcurl), on
 * Netty or in-process.
 *
 * <p>Handlers are CPU-only and never block, so the server runs them on the transport threads
 * ({@code directExecutor()}): no thread hand-off per call. {@link #close()} drains gracefully.
 */
public final class TokenServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TokenServer.class.getName());
    /** Requests are a few hundred bytes; tokens are parsed only up to 16 KiB. */
    static final int MAX_INBOUND_MESSAGE_BYTES = 64 * 1024;
    /** After the grace period, how long to wait for cancelled calls to finish. */
    private static final Duration FORCED_SHUTDOWN_WAIT = Duration.ofSeconds(5);

    private final Server server;
    private final HealthStatusManager health;
    private final ServerConfig config;
    private boolean closed;

    private TokenServer(Server server, HealthStatusManager health, ServerConfig config) {
        this.server = server;
        this.health = health;
        this.config = config;
    }

    /**
     * Starts a Netty server on {@code config.grpcPort()} (0 = ephemeral; see {@link #port()}), with TLS
     * if configured.
     *
     * @throws IOException if the port cannot be bound
     * @throws ConfigException if the TLS certificate or key cannot be used
     */
    public static TokenServer start(ServerConfig config) throws IOException {
        ServerBuilder<?> builder;
        try {
            builder = Grpc.newServerBuilderForPort(config.grpcPort(), credentials(config));
        } catch (RuntimeException e) {
            if (config.tls().isPresent()) {
                throw tlsError(config.tls().get(), e);
            }
            throw e;
        }
        return start(builder, config);
    }

    /** Starts an in-process server (for tests and embedding) reachable as {@code name}. */
    public static TokenServer startInProcess(String name, ServerConfig config) {
        try {
            return start(InProcessServerBuilder.forName(name), config);
        } catch (IOException e) {
            throw new UncheckedIOException("in-process server " + name + " failed to start", e);
        }
    }

    private static TokenServer start(ServerBuilder<?> builder, ServerConfig config) throws IOException {
        HealthStatusManager health = new HealthStatusManager();
        builder.directExecutor()
                .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
                .addService(ServerInterceptors.intercept(endpoint(config), interceptors(config)))
                .addService(health.getHealthService())
                .addService(ProtoReflectionServiceV1.newInstance())
                .addService(legacyReflection());
        Server server;
        try {
            server = builder.build().start();
        } catch (RuntimeException e) {
            if (config.tls().isPresent()) {
                throw tlsError(config.tls().get(), e);
            }
            throw e;
        }
        health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.SERVING);
        health.setStatus(TokenServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
        return new TokenServer(server, health, config);
    }

    private static TokenServiceEndpoint endpoint(ServerConfig config) {
        TokenIssuer issuer = new TokenIssuer(config.clock(), config.saltSource(), config.tokenLimits());
        UnaryCalls calls = new UnaryCalls(config.accessGate(), config.auditSink(), config.clock());
        return new TokenServiceEndpoint(
                new IssueHandler(config.apps(), issuer, calls),
                new RenewHandler(config.apps(), issuer, calls, config.clock(), config.renewGrace(),
                        config.maxTtlForCaller()),
                new InspectHandler(config.apps(), calls, config.clock()));
    }

    /**
     * The token service's interceptors, in {@code ServerInterceptors.intercept} order (the last runs
     * first): the configured ones reversed, then the authenticator (or the anonymous caller), then the observer,
     * so the observer runs first, then the authenticator, then the others in the order they were added.
     */
    private static List<ServerInterceptor> interceptors(ServerConfig config) {
        List<ServerInterceptor> order = new ArrayList<>(config.interceptors());
        java.util.Collections.reverse(order);
        order.add(config.authenticator().orElseGet(AnonymousCallerInterceptor::new));
        config.observer().ifPresent(order::add);
        return order;
    }

    @SuppressWarnings("deprecation") // v1alpha reflection: still what many grpcurl versions ask first
    private static io.grpc.BindableService legacyReflection() {
        return io.grpc.protobuf.services.ProtoReflectionService.newInstance();
    }

    private static ServerCredentials credentials(ServerConfig config) throws IOException {
        if (config.tls().isEmpty()) {
            return InsecureServerCredentials.create();
        }
        TlsConfig tls = config.tls().get();
        TlsServerCredentials.Builder credentials = TlsServerCredentials.newBuilder();
        try {
            credentials.keyManager(tls.certificateChain().toFile(), tls.privateKey().toFile());
            if (tls.clientCa().isPresent()) {
                credentials.trustManager(tls.clientCa().get().toFile())
                        .clientAuth(TlsServerCredentials.ClientAuth.OPTIONAL);
            }
        } catch (IOException | RuntimeException e) {
            throw tlsError(tls, e);
        }
        return credentials.build();
    }

    private static ConfigException tlsError(TlsConfig tls, Exception e) {
        // Netty's and the JDK's messages about unusable PEM files name the problem, never key material.
        String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
        return new ConfigException("TLS certificate " + tls.certificateChain() + " / key " + tls.privateKey()
                + tls.clientCa().map(ca -> " / client CA " + ca).orElse("") + " cannot be used: " + reason
                + " (expected PEM files: a certificate chain and a PKCS#8 private key)");
    }

    /** The bound port (the real one when the configuration asked for 0); -1 in-process. */
    public int port() {
        return server.getPort();
    }

    public ServerConfig config() {
        return config;
    }

    /**
     * Graceful stop: health turns NOT_SERVING, the listener closes and connections get GOAWAY, in-flight
     * calls may finish within {@code config.shutdownGrace()}; then the rest are cancelled. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                awaitQuietly(FORCED_SHUTDOWN_WAIT);
                return;
            }
            closed = true;
        }
        health.enterTerminalState();
        server.shutdown();
        boolean drained;
        try {
            drained = server.awaitTermination(config.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            drained = false;
        }
        if (!drained) {
            LOG.warning("calls still running after the shutdown grace of " + config.shutdownGrace().toSeconds()
                    + " s; cancelling them");
            server.shutdownNow();
            awaitQuietly(FORCED_SHUTDOWN_WAIT);
        }
    }

    /** Blocks until the server has terminated (after {@link #close()}, e.g. from a shutdown hook). */
    public void awaitTermination() throws InterruptedException {
        server.awaitTermination();
    }

    public boolean isTerminated() {
        return server.isTerminated();
    }

    private void awaitQuietly(Duration timeout) {
        try {
            server.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "TokenServer[port " + port() + ", " + Objects.toString(config) + "]";
    }
}
