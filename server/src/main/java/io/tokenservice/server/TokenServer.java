package io.tokenservice.server;

import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.TlsServerCredentials;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.tokenservice.core.issue.TokenIssuer;
import io.tokenservice.proto.v1.TokenServiceGrpc;
import io.tokenservice.server.config.ConfigException;
import io.tokenservice.server.config.ServerConfig;
import io.tokenservice.server.config.TlsConfig;
import io.tokenservice.server.config.TransportSettings;
import io.tokenservice.server.inspect.InspectHandler;
import io.tokenservice.server.issue.IssueHandler;
import io.tokenservice.server.renew.RenewHandler;
import io.tokenservice.server.rpc.CallAdmission;
import io.tokenservice.server.rpc.CallRefusals;
import io.tokenservice.server.rpc.DrainedResponses;
import io.tokenservice.server.rpc.UnaryCalls;
import io.tokenservice.server.transport.CallLimits;
import io.tokenservice.server.transport.HeaderListLimit;
import io.tokenservice.server.transport.NettyTransport;
import io.tokenservice.server.transport.TransportLogThrottle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The running token service: tokenservice.v1.TokenService, the standard gRPC health service
 * (grpc.health.v1, for Kubernetes probes) and server reflection (v1 and v1alpha, for grpcurl), on
 * Netty or in-process.
 *
 * <p>Handlers are CPU-only and never block, so the server runs them on the transport threads
 * ({@code directExecutor()}): no thread hand-off per call. {@link #close()} drains gracefully.
 *
 * <p>Every call passes, in this order: the header list limit, authentication, the call limits of its
 * connection (Netty only) and, for TokenService calls, the access gate's admission (rate limit, may this
 * caller call this RPC), before its request is read; see {@link TransportSettings} for what connections may
 * hold.
 */
public final class TokenServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TokenServer.class.getName());
    /** After the grace period, how long to wait for cancelled calls to finish. */
    private static final Duration FORCED_SHUTDOWN_WAIT = Duration.ofSeconds(5);

    private final Server server;
    private final HealthStatusManager health;
    private final ServerConfig config;
    private final Optional<NettyTransport> transport;
    private boolean closed;

    private TokenServer(Server server, HealthStatusManager health, ServerConfig config,
            Optional<NettyTransport> transport) {
        this.server = server;
        this.health = health;
        this.config = config;
        this.transport = transport;
    }

    /**
     * Starts a Netty server on {@code config.grpcPort()} (0 = ephemeral; see {@link #port()}), with TLS
     * if configured, the transport limits of the configuration, and the transport's per-request log records
     * throttled ({@link TransportLogThrottle}).
     *
     * @throws IOException if the port cannot be bound
     * @throws ConfigException if the TLS certificate or key cannot be used
     */
    public static TokenServer start(ServerConfig config) throws IOException {
        TransportLogThrottle.install();
        NettyServerBuilder builder;
        try {
            builder = NettyServerBuilder.forPort(config.grpcPort(), credentials(config));
        } catch (RuntimeException e) {
            if (config.tls().isPresent()) {
                throw tlsError(config.tls().get(), e);
            }
            throw e;
        }
        NettyTransport transport = NettyTransport.configure(builder, config.transport());
        try {
            return start(builder, config, Optional.of(transport));
        } catch (IOException | RuntimeException e) {
            transport.close();
            throw e;
        }
    }

    /** Starts an in-process server (for tests and embedding) reachable as {@code name}. */
    public static TokenServer startInProcess(String name, ServerConfig config) {
        try {
            return start(InProcessServerBuilder.forName(name), config, Optional.empty());
        } catch (IOException e) {
            throw new UncheckedIOException("in-process server " + name + " failed to start", e);
        }
    }

    private static TokenServer start(ServerBuilder<?> builder, ServerConfig config,
            Optional<NettyTransport> transport) throws IOException {
        HealthStatusManager health = new HealthStatusManager();
        TransportSettings limits = config.transport();
        CallRefusals refusals = new CallRefusals(config.auditSink(), config.clock());
        // Server-wide interceptors run in the reverse order of adding, before the services' own.
        builder.directExecutor()
                .maxInboundMessageSize(limits.maxRequestBytes())
                .intercept(new CallLimits(limits.firstMessageTimeout(), limits.maxPublicCallsPerConnection(), refusals))
                .intercept(config.authenticator().orElseGet(AnonymousCallerInterceptor::new))
                .intercept(new HeaderListLimit(limits.maxHeaderListBytes(), refusals))
                .addService(tokenService(config, refusals, transport.isPresent()))
                .addService(health.getHealthService())
                .addService(ProtoReflectionServiceV1.newInstance())
                .addService(legacyReflection());
        // Added last, so it runs first: the calls the transport limits and the authenticator refuse are timed too.
        config.observer().ifPresent(builder::intercept);
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
        return new TokenServer(server, health, config, transport);
    }

    /** Over the network its responses are drained through a per-thread buffer ({@link DrainedResponses}). */
    private static ServerServiceDefinition tokenService(ServerConfig config, CallRefusals refusals, boolean network) {
        ServerServiceDefinition service = ServerInterceptors.intercept(endpoint(config), interceptors(config, refusals));
        return network ? DrainedResponses.of(service) : service;
    }

    private static TokenServiceEndpoint endpoint(ServerConfig config) {
        TokenIssuer issuer = new TokenIssuer(config.clock(), config.saltSource(), config.tokenLimits());
        UnaryCalls calls = new UnaryCalls(config.accessGate(), config.auditSink(), config.clock());
        return new TokenServiceEndpoint(
                new IssueHandler(config.apps(), issuer, calls, config.clock()),
                new RenewHandler(config.apps(), issuer, calls, config.clock(), config.renewGrace(),
                        config.maxTtlForCaller()),
                new InspectHandler(config.apps(), calls, config.clock()));
    }

    /**
     * The token service's own interceptors, in {@code ServerInterceptors.intercept} order (the last runs
     * first): the admission, then the configured ones reversed, so that after the server-wide ones
     * (authentication among them) the configured ones run in the order they were added and the admission
     * last, right before the call starts: it needs what they put in the call's context (the shared
     * rate-limit answer).
     */
    private static List<ServerInterceptor> interceptors(ServerConfig config, CallRefusals refusals) {
        List<ServerInterceptor> order = new ArrayList<>();
        order.add(new CallAdmission(config.accessGate(), refusals));
        List<ServerInterceptor> configured = new ArrayList<>(config.interceptors());
        java.util.Collections.reverse(configured);
        order.addAll(configured);
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
     * calls may finish within {@code config.shutdownGrace()}; then the rest are cancelled and the transport's
     * threads stop. Idempotent.
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
        transport.ifPresent(NettyTransport::close);
    }

    /** The Netty transport's unauthenticated connections open now; 0 in-process. */
    public int unauthenticatedConnections() {
        return transport.map(NettyTransport::unauthenticatedConnections).orElse(0);
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
