package io.tokenservice.gateway;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.SessionProtocol;
import com.linecorp.armeria.common.grpc.GrpcMeterIdPrefixFunction;
import com.linecorp.armeria.common.grpc.GrpcSerializationFormats;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServerPort;
import com.linecorp.armeria.server.grpc.GrpcHealthCheckService;
import com.linecorp.armeria.server.grpc.GrpcService;
import com.linecorp.armeria.server.healthcheck.HealthCheckService;
import com.linecorp.armeria.server.healthcheck.ListenableHealthChecker;
import com.linecorp.armeria.server.metric.MetricCollectingService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tokenservice.env.EnvironmentException;
import io.tokenservice.gateway.classic.ClassicRoutes;
import io.tokenservice.gateway.config.GatewayConfig;
import io.tokenservice.gateway.forward.Backend;
import io.tokenservice.gateway.forward.Forwarding;
import io.tokenservice.gateway.health.BackendHealth;
import io.tokenservice.gateway.web.BrowserAccess;
import io.tokenservice.proto.v1.TokenServiceGrpc;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.logging.Logger;

/**
 * The running gateway: one Armeria port serving native gRPC, gRPC-Web (binary and text) and HTTP/JSON
 * transcoding of tokenservice.v1.TokenService, the classic token-server routes, health ({@code /health},
 * grpc.health.v1, both following the token server's health), server reflection and the browser page,
 * every call forwarded to the token server.
 */
public final class Gateway implements AutoCloseable {
    /** The HTTP path of the health check: 200 while the token server serves, else 503. */
    public static final String HEALTH_PATH = "/health";
    /** On the admin port ({@code ADMIN_PORT}) only. */
    public static final String METRICS_PATH = "/metrics";
    /** Requests are a few hundred bytes; the server itself takes at most 64 KiB. */
    static final int MAX_REQUEST_BYTES = 64 * 1024;
    /** HTTP/2 streams one connection may have open at once. */
    static final int MAX_STREAMS_PER_CONNECTION = 256;
    /** How long a stopping gateway keeps answering after its last request before it closes. */
    private static final Duration QUIET_PERIOD = Duration.ofSeconds(1);
    /**
     * The gateway's own timeout is a little longer than the call timeout, so that a token server that does
     * not answer is reported as that (DEADLINE_EXCEEDED, 504), not as a gateway timeout of another kind.
     */
    private static final Duration TIMEOUT_MARGIN = Duration.ofSeconds(1);
    private static final Logger LOG = Logger.getLogger(Gateway.class.getName());

    private final Server server;
    private final Backend backend;
    private final GatewayConfig config;

    private Gateway(Server server, Backend backend, GatewayConfig config) {
        this.server = server;
        this.backend = backend;
        this.config = config;
    }

    /**
     * Starts listening; calls reach the token server once it answers (see {@link #HEALTH_PATH}).
     *
     * @throws EnvironmentException if the configuration cannot be used (TLS files, target)
     * @throws IllegalStateException if the port cannot be bound
     */
    public static Gateway start(GatewayConfig config) {
        WireLogs.keepQuiet();
        Backend backend = Backend.connect(config);
        try {
            PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            new JvmMemoryMetrics().bindTo(metrics);
            new JvmThreadMetrics().bindTo(metrics);
            new ProcessorMetrics().bindTo(metrics);
            new UptimeMetrics().bindTo(metrics);
            Server server = build(config, backend, metrics);
            server.start().join();
            Gateway gateway = new Gateway(server, backend, config);
            LOG.info("token gateway listening on " + config.scheme() + " port " + gateway.port() + ", forwarding to "
                    + config.backendTarget() + (config.backendTls().enabled() ? " over TLS" : " in plaintext")
                    + (config.corsOrigins().isEmpty() ? "" : ", CORS for " + config.corsOrigins())
                    + ", call timeout " + config.callTimeout().toSeconds() + " s");
            return gateway;
        } catch (RuntimeException e) {
            backend.close();
            if (e instanceof CompletionException && e.getCause() != null) {
                throw new IllegalStateException("cannot listen on port " + config.port() + ": " + e.getCause().getMessage(), e.getCause());
            }
            throw e;
        }
    }

    private static Server build(GatewayConfig config, Backend backend, PrometheusMeterRegistry metrics) {
        ListenableHealthChecker backendHealth = BackendHealth.checker(backend);
        GrpcService grpc = GrpcService.builder()
                .addService(Forwarding.of(TokenServiceGrpc.getServiceDescriptor(), backend.channel(), config.callTimeout()))
                .addService(GrpcHealthCheckService.builder().checkers(backendHealth).build())
                .addService(ProtoReflectionServiceV1.newInstance())
                .supportedSerializationFormats(GrpcSerializationFormats.values())
                .enableHttpJsonTranscoding(true)
                .useClientTimeoutHeader(true)
                .maxRequestMessageLength(MAX_REQUEST_BYTES)
                .build();

        ServerBuilder server = Server.builder()
                .meterRegistry(metrics)
                .port(new ServerPort(address(config), config.tls().isPresent()
                        ? new SessionProtocol[] {SessionProtocol.HTTPS} : new SessionProtocol[] {SessionProtocol.HTTP}))
                .requestTimeout(config.callTimeout().plus(TIMEOUT_MARGIN))
                .maxRequestLength(MAX_REQUEST_BYTES)
                .http2MaxStreamsPerConnection(MAX_STREAMS_PER_CONNECTION)
                .gracefulShutdownTimeout(QUIET_PERIOD.compareTo(config.shutdownGrace()) < 0 ? QUIET_PERIOD : config.shutdownGrace(),
                        config.shutdownGrace())
                .disableServerHeader()
                .errorHandler(ClassicRoutes.errorHandler())
                .service(grpc, MetricCollectingService.newDecorator(GrpcMeterIdPrefixFunction.of("armeria.server")))
                .service(HEALTH_PATH, HealthCheckService.builder().checkers(backendHealth).build());
        config.tls().ifPresent(tls -> {
            try {
                server.tls(tls.certificateChain().toFile(), tls.privateKey().toFile());
            } catch (RuntimeException e) {
                throw new EnvironmentException(GatewayConfig.ENV_TLS_CERT + " / " + GatewayConfig.ENV_TLS_KEY + ": "
                        + tls.certificateChain() + " / " + tls.privateKey() + " cannot be used (expected PEM files: a "
                        + "certificate chain and a PKCS#8 private key)");
            }
        });
        config.adminPort().ifPresent(adminPort -> {
            // Its own port and address, and a virtual host of its own: /metrics only, nothing else there.
            server.port(new ServerPort(new InetSocketAddress(config.adminBindAddress(), adminPort), SessionProtocol.HTTP));
            server.virtualHost(adminPort)
                    .service(METRICS_PATH, (ctx, req) -> HttpResponse.of(HttpStatus.OK,
                            MediaType.parse("text/plain; version=0.0.4; charset=utf-8"), metrics.scrape()))
                    .serviceUnder("/", (ctx, req) -> HttpResponse.of(HttpStatus.NOT_FOUND));
        });
        ClassicRoutes.install(server, backend, config.callTimeout());
        BrowserAccess.page(config.staticDir()).ifPresent(page -> server.serviceUnder("/", page));
        BrowserAccess.cors(config.corsOrigins()).ifPresent(server::decorator);
        try {
            return server.build();
        } catch (IllegalArgumentException | IllegalStateException e) {
            if (config.tls().isPresent()) {
                throw new EnvironmentException(GatewayConfig.ENV_TLS_CERT + " / " + GatewayConfig.ENV_TLS_KEY + ": "
                        + "cannot be used (expected PEM files: a certificate chain and a PKCS#8 private key)");
            }
            throw e;
        }
    }

    private static InetSocketAddress address(GatewayConfig config) {
        return config.bindAddress().map(host -> new InetSocketAddress(host, config.port()))
                .orElseGet(() -> new InetSocketAddress(config.port()));
    }

    /** The bound port (the real one when the configuration asked for 0). */
    public int port() {
        return server.activeLocalPort();
    }

    public GatewayConfig config() {
        return config;
    }

    /**
     * Graceful stop: health turns unhealthy, the port closes, calls in flight may finish within the
     * shutdown grace; then the connection to the token server closes. Idempotent.
     */
    @Override
    public void close() {
        try {
            server.stop().join();
        } finally {
            backend.close();
        }
    }
}
