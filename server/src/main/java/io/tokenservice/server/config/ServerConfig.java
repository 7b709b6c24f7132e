package io.tokenservice.server.config;

import io.grpc.ServerInterceptor;
import io.tokenservice.core.issue.SaltSource;
import io.tokenservice.core.issue.TokenLimits;
import io.tokenservice.core.token.AppCredentials;
import io.tokenservice.core.validation.InvalidTokenInputException;
import io.tokenservice.server.access.AccessGate;
import io.tokenservice.server.access.AuditSink;
import io.tokenservice.server.access.Caller;
import io.tokenservice.server.transport.TransportLimits;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * Everything a {@link io.tokenservice.server.TokenServer} runs with. Built with {@link #builder()} (for
 * embedding and tests) or {@link #fromEnvironment(Map, Path)} (what {@code java -jar} uses, with the caller
 * security added by {@link io.tokenservice.server.SecuredServer}). Immutable; {@link #toString()} never
 * shows a certificate.
 *
 * <p>Caller security plugs in here: {@link Builder#authenticator} (the interceptor that puts the
 * {@link io.tokenservice.server.access.Caller} into {@link io.tokenservice.server.access.CallerContext};
 * without one every call runs as {@code anonymous}/{@code NONE}), {@link Builder#interceptor} (further
 * interceptors, run after the authenticator in the order added), {@link Builder#accessGate} (default:
 * allow everything), {@link Builder#auditSink} (default: record nothing) and
 * {@link Builder#maxTtlForCaller} (default: no per-caller limit).
 */
public final class ServerConfig {
    public static final int DEFAULT_GRPC_PORT = 50051;
    public static final Duration DEFAULT_RENEW_GRACE = Duration.ofSeconds(300);
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(20);
    /** Lifetime of a token whose request says ttl_seconds = 0. */
    public static final long DEFAULT_TTL_SECONDS = 3600;
    /** The longest lifetime any request may ask for (Agora's documented maximum). */
    public static final long MAX_TTL_SECONDS = TokenLimits.AGORA_MAX_TTL_SECONDS;
    /** Upper bound for the renewal grace: a token expired longer ago than a day is never renewed. */
    public static final Duration MAX_RENEW_GRACE = Duration.ofDays(1);

    /** Allows every request; the default until caller security is configured. */
    public static final AccessGate ALLOW_ALL = (caller, request) -> { };
    /** Records nothing; the default until an audit sink is configured. */
    public static final AuditSink NO_AUDIT = event -> { };
    /** No per-caller lifetime limit; the default until caller policies are configured. */
    public static final Function<Caller, OptionalLong> NO_CALLER_MAX_TTL = caller -> OptionalLong.empty();

    private final int grpcPort;
    private final AppRegistry apps;
    private final Clock clock;
    private final SaltSource saltSource;
    private final Duration renewGrace;
    private final Duration shutdownGrace;
    private final Optional<TlsConfig> tls;
    private final boolean developmentDefault;
    private final Optional<ServerInterceptor> authenticator;
    private final List<ServerInterceptor> interceptors;
    private final AccessGate accessGate;
    private final AuditSink auditSink;
    private final Function<Caller, OptionalLong> maxTtlForCaller;
    private final Optional<Path> configFile;
    private final TransportLimits transportLimits;

    private ServerConfig(Builder builder) {
        if (builder.grpcPort < 0 || builder.grpcPort > 65535) {
            throw new ConfigException("gRPC port must be between 0 and 65535, got " + builder.grpcPort);
        }
        requireNotNegative("renew grace", builder.renewGrace);
        if (builder.renewGrace.compareTo(MAX_RENEW_GRACE) > 0) {
            throw new ConfigException("renew grace must be at most " + MAX_RENEW_GRACE.toSeconds() + " seconds, got "
                    + builder.renewGrace.toSeconds());
        }
        requireNotNegative("shutdown grace", builder.shutdownGrace);
        if (builder.tlsClientCa != null && builder.tlsCertificateChain == null) {
            throw new ConfigException("a TLS client CA needs server TLS (a certificate and key) as well");
        }
        this.grpcPort = builder.grpcPort;
        this.apps = new AppRegistry(builder.apps);
        this.clock = builder.clock;
        this.saltSource = builder.saltSource;
        this.renewGrace = builder.renewGrace;
        this.shutdownGrace = builder.shutdownGrace;
        this.tls = builder.tlsCertificateChain == null
                ? Optional.empty()
                : Optional.of(new TlsConfig(builder.tlsCertificateChain, builder.tlsPrivateKey,
                        Optional.ofNullable(builder.tlsClientCa)));
        this.developmentDefault = builder.developmentDefault;
        this.authenticator = Optional.ofNullable(builder.authenticator);
        this.interceptors = List.copyOf(builder.interceptors);
        this.accessGate = builder.accessGate;
        this.auditSink = builder.auditSink;
        this.maxTtlForCaller = builder.maxTtlForCaller;
        this.configFile = Optional.ofNullable(builder.configFile);
        this.transportLimits = builder.transportLimits;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The twelve-factor configuration used by {@code java -jar token-server.jar}: environment variables,
     * overlaid on a {@code .env} file in {@code workingDir} (real environment variables win), or the YAML
     * file named by {@code TOKEN_SERVICE_CONFIG}; with no app configured at all, a generated throw-away
     * development app ({@link #developmentDefault()}). See the README for the variables.
     *
     * @throws ConfigException with a one-line message naming the offending setting
     */
    public static ServerConfig fromEnvironment(Map<String, String> env, Path workingDir) {
        return EnvironmentConfig.load(env, workingDir);
    }

    /**
     * The environment as {@link #fromEnvironment} sees it: the variables of {@code workingDir/.env}
     * overlaid with {@code env} (real environment variables win), for other parts of the server that read
     * their own variables (caller security: {@code TOKEN_SERVICE_API_KEYS}, {@code TOKEN_SERVICE_DENY_LIST}).
     *
     * @throws ConfigException if the {@code .env} file cannot be read or parsed
     */
    public static Map<String, String> environment(Map<String, String> env, Path workingDir) {
        return EnvironmentConfig.variables(env, workingDir);
    }

    /** A builder holding this configuration, to change some settings (e.g. to add caller security). */
    public Builder toBuilder() {
        Builder builder = new Builder()
                .grpcPort(grpcPort)
                .clock(clock)
                .saltSource(saltSource)
                .renewGrace(renewGrace)
                .shutdownGrace(shutdownGrace)
                .developmentDefault(developmentDefault)
                .accessGate(accessGate)
                .auditSink(auditSink)
                .maxTtlForCaller(maxTtlForCaller)
                .transportLimits(transportLimits);
        configFile.ifPresent(builder::configFile);
        apps.all().forEach(builder::app);
        tls.ifPresent(t -> {
            builder.tls(t.certificateChain(), t.privateKey());
            t.clientCa().ifPresent(builder::tlsClientCa);
        });
        authenticator.ifPresent(builder::authenticator);
        interceptors.forEach(builder::interceptor);
        return builder;
    }

    /** The TCP port to listen on; 0 = an ephemeral port (see {@code TokenServer.port()}). */
    public int grpcPort() {
        return grpcPort;
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
        return renewGrace;
    }

    /** How long {@code TokenServer.close()} lets in-flight calls finish before cancelling them. */
    public Duration shutdownGrace() {
        return shutdownGrace;
    }

    public Optional<TlsConfig> tls() {
        return tls;
    }

    /** True when the only app is a generated throw-away one: Agora will reject every token. */
    public boolean developmentDefault() {
        return developmentDefault;
    }

    public Optional<ServerInterceptor> authenticator() {
        return authenticator;
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

    /**
     * The YAML file the configuration came from ({@code TOKEN_SERVICE_CONFIG}), if any, so other parts of
     * the server can read their own sections of it (this class reads apps and server settings and skips
     * the {@code security} section).
     */
    public Optional<Path> configFile() {
        return configFile;
    }

    /** What connections and calls may hold of the server (see {@link TransportLimits}). */
    public TransportLimits transportLimits() {
        return transportLimits;
    }

    public TokenLimits tokenLimits() {
        return new TokenLimits(MAX_TTL_SECONDS);
    }

    /** A one-line description safe to log: no certificate. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("port ").append(grpcPort)
                .append(", TLS ").append(tls.isEmpty() ? "off" : tls.get().clientCa().isPresent() ? "on (client certificates accepted)" : "on")
                .append(", apps [");
        String separator = "";
        for (AppKeys app : apps.all()) {
            s.append(separator).append(app.appId());
            if (app.secondaryCertificate().isPresent()) {
                s.append(" (+ secondary certificate)");
            }
            separator = ", ";
        }
        s.append("], renew grace ").append(renewGrace.toSeconds()).append(" s, shutdown grace ")
                .append(shutdownGrace.toSeconds()).append(" s");
        if (authenticator.isEmpty()) {
            s.append(", no caller authentication");
        }
        s.append("; transport: ").append(transportLimits);
        return s.toString();
    }

    private static void requireNotNegative(String name, Duration duration) {
        if (duration.isNegative()) {
            throw new ConfigException(name + " must not be negative");
        }
    }

    /** Collects settings; {@link #build()} checks them and fails with {@link ConfigException}. */
    public static final class Builder {
        private int grpcPort = DEFAULT_GRPC_PORT;
        private final List<AppKeys> apps = new ArrayList<>();
        private Clock clock = Clock.systemUTC();
        private SaltSource saltSource = SaltSource.secure();
        private Duration renewGrace = DEFAULT_RENEW_GRACE;
        private Duration shutdownGrace = DEFAULT_SHUTDOWN_GRACE;
        private Path tlsCertificateChain;
        private Path tlsPrivateKey;
        private Path tlsClientCa;
        private boolean developmentDefault;
        private ServerInterceptor authenticator;
        private final List<ServerInterceptor> interceptors = new ArrayList<>();
        private AccessGate accessGate = ALLOW_ALL;
        private AuditSink auditSink = NO_AUDIT;
        private Function<Caller, OptionalLong> maxTtlForCaller = NO_CALLER_MAX_TTL;
        private Path configFile;
        private TransportLimits transportLimits = TransportLimits.DEFAULTS;

        private Builder() {}

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

        /** Marks the configuration as the generated development default (used for the warning). */
        public Builder developmentDefault(boolean developmentDefault) {
            this.developmentDefault = developmentDefault;
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

        /** Records the YAML file the settings came from (see {@link ServerConfig#configFile()}). */
        public Builder configFile(Path configFile) {
            this.configFile = Objects.requireNonNull(configFile, "configFile");
            return this;
        }

        /** Default {@link TransportLimits#DEFAULTS}. */
        public Builder transportLimits(TransportLimits limits) {
            this.transportLimits = Objects.requireNonNull(limits, "limits");
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
