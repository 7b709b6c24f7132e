package io.tokenservice.server.config;

import io.grpc.ServerInterceptor;
import io.tokenservice.core.issue.SaltSource;
import io.tokenservice.core.issue.TokenLimits;
import io.tokenservice.core.token.AppCredentials;
import io.tokenservice.core.validation.InvalidTokenInputException;
import io.tokenservice.server.access.AccessGate;
import io.tokenservice.server.access.AuditSink;
import io.tokenservice.server.access.Caller;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * Everything a {@link io.tokenservice.server.TokenServer} runs with: the sections of the {@link Configuration} it
 * uses (the {@link ServerSettings}, TLS and the apps) plus the collaborators it calls. Built with
 * {@link #builder()} (for embedding and tests; {@link Builder#settings(Configuration)} takes the sections of a
 * loaded configuration, as {@link io.tokenservice.server.SecuredServer} does). Immutable; {@link #toString()}
 * never shows a certificate.
 *
 * <p>Caller security plugs in here: {@link Builder#authenticator} (the interceptor that puts the
 * {@link io.tokenservice.server.access.Caller} into {@link io.tokenservice.server.access.CallerContext};
 * without one every call runs as {@code anonymous}/{@code NONE}), {@link Builder#interceptor} (further
 * interceptors, run after the authenticator in the order added), {@link Builder#accessGate} (default:
 * allow everything), {@link Builder#auditSink} (default: record nothing) and
 * {@link Builder#maxTtlForCaller} (default: no per-caller limit).
 */
public final class ServerConfig {
    /** Lifetime of a token whose request says ttl_seconds = 0. */
    public static final long DEFAULT_TTL_SECONDS = 3600;

    /** Allows every request; the default until caller security is configured. */
    public static final AccessGate ALLOW_ALL = (caller, request) -> { };
    /** Records nothing; the default until an audit sink is configured. */
    public static final AuditSink NO_AUDIT = event -> { };
    /** No per-caller lifetime limit; the default until caller policies are configured. */
    public static final Function<Caller, OptionalLong> NO_CALLER_MAX_TTL = caller -> OptionalLong.empty();

    private final ServerSettings server;
    private final AppRegistry apps;
    private final Optional<TlsConfig> tls;
    private final Clock clock;
    private final SaltSource saltSource;
    private final Optional<ServerInterceptor> authenticator;
    private final Optional<ServerInterceptor> observer;
    private final List<ServerInterceptor> interceptors;
    private final AccessGate accessGate;
    private final AuditSink auditSink;
    private final Function<Caller, OptionalLong> maxTtlForCaller;
    private final TransportSettings transport;

    private ServerConfig(Builder builder) {
        if (builder.tlsClientCa != null && builder.tlsCertificateChain == null) {
            throw new ConfigException("a TLS client CA needs server TLS (a certificate and key) as well");
        }
        this.server = new ServerSettings(builder.grpcPort, builder.renewGrace, builder.shutdownGrace);
        this.apps = new AppRegistry(builder.apps);
        this.tls = builder.tlsCertificateChain == null
                ? Optional.empty()
                : Optional.of(new TlsConfig(builder.tlsCertificateChain, builder.tlsPrivateKey,
                        Optional.ofNullable(builder.tlsClientCa)));
        this.clock = builder.clock;
        this.saltSource = builder.saltSource;
        this.authenticator = Optional.ofNullable(builder.authenticator);
        this.observer = Optional.ofNullable(builder.observer);
        this.interceptors = List.copyOf(builder.interceptors);
        this.accessGate = builder.accessGate;
        this.auditSink = builder.auditSink;
        this.maxTtlForCaller = builder.maxTtlForCaller;
        this.transport = builder.transport;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration, to change some settings (e.g. to add caller security). */
    public Builder toBuilder() {
        Builder builder = new Builder()
                .clock(clock)
                .saltSource(saltSource)
                .accessGate(accessGate)
                .auditSink(auditSink)
                .maxTtlForCaller(maxTtlForCaller)
                .transport(transport);
        builder.server(server);
        apps.all().forEach(builder::app);
        tls.ifPresent(builder::tls);
        authenticator.ifPresent(builder::authenticator);
        observer.ifPresent(builder::observer);
        interceptors.forEach(builder::interceptor);
        return builder;
    }

    /** The port and grace periods. */
    public ServerSettings server() {
        return server;
    }

    /** The TCP port to listen on; 0 = an ephemeral port (see {@code TokenServer.port()}). */
    public int grpcPort() {
        return server.grpcPort();
    }

    public AppRegistry apps() {
        return apps;
    }

    public Clock clock() {
        return clock;
    }

    public SaltSource saltSource() {
        return saltSource;
    }

    /** How long after expiry a token may still be renewed. */
    public Duration renewGrace() {
        return server.renewGrace();
    }

    /** How long {@code TokenServer.close()} lets in-flight calls finish before cancelling them. */
    public Duration shutdownGrace() {
        return server.shutdownGrace();
    }

    public Optional<TlsConfig> tls() {
        return tls;
    }

    public Optional<ServerInterceptor> authenticator() {
        return authenticator;
    }

    /** The interceptor that sees every token service call before the authenticator (metrics). */
    public Optional<ServerInterceptor> observer() {
        return observer;
    }

    public List<ServerInterceptor> interceptors() {
        return interceptors;
    }

    public AccessGate accessGate() {
        return accessGate;
    }

    public AuditSink auditSink() {
        return auditSink;
    }

    /**
     * The longest token lifetime a caller's policy allows, if it sets one. Used where the API lowers a
     * lifetime to the policy instead of refusing it: RenewToken with ttl_seconds = 0.
     */
    public Function<Caller, OptionalLong> maxTtlForCaller() {
        return maxTtlForCaller;
    }

    /** What connections and calls may hold of the server. */
    public TransportSettings transport() {
        return transport;
    }

    public TokenLimits tokenLimits() {
        return TokenLimits.agoraDefault();
    }

    /** A one-line description safe to log: no certificate. */
    @Override
    public String toString() {
        return "port " + server.grpcPort() + ", TLS " + tls.map(TlsConfig::describe).orElse("off") + ", apps " + apps
                + ", renew grace " + server.renewGrace().toSeconds() + " s, shutdown grace "
                + server.shutdownGrace().toSeconds() + " s" + (authenticator.isEmpty() ? ", no caller authentication" : "")
                + "; transport: " + transport;
    }

    /** Collects settings; {@link #build()} checks them and fails with {@link ConfigException}. */
    public static final class Builder {
        private int grpcPort = ServerSettings.DEFAULT_GRPC_PORT;
        private final List<AppKeys> apps = new ArrayList<>();
        private Clock clock = Clock.systemUTC();
        private SaltSource saltSource = SaltSource.secure();
        private Duration renewGrace = ServerSettings.DEFAULT_RENEW_GRACE;
        private Duration shutdownGrace = ServerSettings.DEFAULT_SHUTDOWN_GRACE;
        private Path tlsCertificateChain;
        private Path tlsPrivateKey;
        private Path tlsClientCa;
        private ServerInterceptor authenticator;
        private ServerInterceptor observer;
        private final List<ServerInterceptor> interceptors = new ArrayList<>();
        private AccessGate accessGate = ALLOW_ALL;
        private AuditSink auditSink = NO_AUDIT;
        private Function<Caller, OptionalLong> maxTtlForCaller = NO_CALLER_MAX_TTL;
        private TransportSettings transport = TransportSettings.DEFAULTS;

        private Builder() {}

        /**
         * The sections of a loaded configuration this server uses: port and grace periods, TLS, the apps
         * (replacing apps added before) and the transport limits.
         */
        public Builder settings(Configuration configuration) {
            server(configuration.server());
            apps.clear();
            configuration.apps().all().forEach(this::app);
            tlsCertificateChain = null;
            tlsPrivateKey = null;
            tlsClientCa = null;
            configuration.tls().ifPresent(this::tls);
            return transport(configuration.transport());
        }

        /** Port and grace periods. */
        public Builder server(ServerSettings settings) {
            return grpcPort(settings.grpcPort()).renewGrace(settings.renewGrace()).shutdownGrace(settings.shutdownGrace());
        }

        /** 0 = ephemeral. Default 50051. */
        public Builder grpcPort(int port) {
            this.grpcPort = port;
            return this;
        }

        /** Adds an app that signs with {@code primaryCertificate}. */
        public Builder app(String appId, String primaryCertificate) {
            return app(toKeys(appId, primaryCertificate, null));
        }

        /** Adds an app that signs with {@code primary} and also verifies with {@code secondary}. */
        public Builder app(String appId, String primary, String secondary) {
            return app(toKeys(appId, primary, Objects.requireNonNull(secondary, "secondary")));
        }

        public Builder app(AppKeys keys) {
            apps.add(Objects.requireNonNull(keys, "keys"));
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public Builder saltSource(SaltSource saltSource) {
            this.saltSource = Objects.requireNonNull(saltSource, "saltSource");
            return this;
        }

        public Builder renewGrace(Duration grace) {
            this.renewGrace = Objects.requireNonNull(grace, "grace");
            return this;
        }

        public Builder shutdownGrace(Duration grace) {
            this.shutdownGrace = Objects.requireNonNull(grace, "grace");
            return this;
        }

        /** Serve TLS with a PEM certificate chain and PKCS#8 PEM private key. */
        public Builder tls(Path certificateChain, Path privateKey) {
            this.tlsCertificateChain = Objects.requireNonNull(certificateChain, "certificateChain");
            this.tlsPrivateKey = Objects.requireNonNull(privateKey, "privateKey");
            return this;
        }

        /** Also request (optional) client certificates, verified against these PEM CA certificates. */
        public Builder tlsClientCa(Path clientCa) {
            this.tlsClientCa = Objects.requireNonNull(clientCa, "clientCa");
            return this;
        }

        public Builder tls(TlsConfig tls) {
            tls(tls.certificateChain(), tls.privateKey());
            tls.clientCa().ifPresent(this::tlsClientCa);
            return this;
        }

        /**
         * The interceptor that authenticates callers and puts the {@code Caller} into
         * {@code CallerContext.CALLER}. It wraps the token service only (health and reflection stay open).
         */
        public Builder authenticator(ServerInterceptor authenticator) {
            this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
            return this;
        }

        /** An interceptor run before the authenticator on every token service call, to observe (metrics). */
        public Builder observer(ServerInterceptor observer) {
            this.observer = Objects.requireNonNull(observer, "observer");
            return this;
        }

        /** A further interceptor on the token service, run after the authenticator, in the order added. */
        public Builder interceptor(ServerInterceptor interceptor) {
            interceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
            return this;
        }

        public Builder accessGate(AccessGate gate) {
            this.accessGate = Objects.requireNonNull(gate, "gate");
            return this;
        }

        public Builder auditSink(AuditSink sink) {
            this.auditSink = Objects.requireNonNull(sink, "sink");
            return this;
        }

        /** The policy's lifetime limit per caller (e.g. {@code securityLayer::maxTtlSeconds}). */
        public Builder maxTtlForCaller(Function<Caller, OptionalLong> maxTtlForCaller) {
            this.maxTtlForCaller = Objects.requireNonNull(maxTtlForCaller, "maxTtlForCaller");
            return this;
        }

        /** Default {@link TransportSettings#DEFAULTS}. */
        public Builder transport(TransportSettings transport) {
            this.transport = Objects.requireNonNull(transport, "transport");
            return this;
        }

        public ServerConfig build() {
            return new ServerConfig(this);
        }

        private AppKeys toKeys(String appId, String primary, String secondary) {
            String which = "app #" + (apps.size() + 1);
            try {
                AppCredentials credentials = new AppCredentials(appId, primary);
                if (secondary != null) {
                    return new AppKeys(credentials, Optional.of(secondary));
                }
                return new AppKeys(credentials, Optional.empty());
            } catch (InvalidTokenInputException e) {
                // The rule names the field and says what is wrong; it never repeats the value.
                throw new ConfigException(which + ": " + e.getMessage());
            }
        }
    }
}
