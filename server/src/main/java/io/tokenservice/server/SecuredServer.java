package io.tokenservice.server;

import io.tokenservice.server.audit.JsonAuditSink;
import io.tokenservice.server.auth.CredentialRedactingFilter;
import io.tokenservice.server.config.ConfigException;
import io.tokenservice.server.config.ServerConfig;
import io.tokenservice.server.config.TlsConfig;
import io.tokenservice.server.policy.SecurityConfig;
import io.tokenservice.server.policy.SecurityLayer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;

/**
 * The token server the way {@code java -jar token-server.jar} runs it: configuration from the environment
 * ({@link ServerConfig#fromEnvironment}) and caller security on every TokenService RPC (health and
 * reflection stay open): API keys and client certificate subjects, per-caller policy and rate limit,
 * deny-list, and the JSON audit log ({@value JsonAuditSink#LOGGER_NAME}).
 *
 * <p>Start-up rules:
 * <ul>
 *   <li>Nothing configured (no app, no API keys, no security section): a throw-away development app and one
 *       generated API key for caller {@value SecurityConfig#DEVELOPMENT_CALLER}, printed once on the console
 *       (never logged).</li>
 *   <li>A real app ({@code APP_ID}/{@code APP_CERTIFICATE} or {@code TOKEN_SERVICE_CONFIG}) needs at least one
 *       caller credential ({@value SecurityConfig#ENV_API_KEYS} or the {@code security:} section): without
 *       one the start is refused ({@link Main#EXIT_CONFIG}); a server that signs real tokens is never
 *       open.</li>
 * </ul>
 * The {@code security:} section of the YAML file is re-read when the file changes (keys, certificate
 * subjects, policies, rate limits, deny-list path); the deny-list file is polled on its own. Neither
 * touches open connections.
 */
public final class SecuredServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SecuredServer.class.getName());

    private final TokenServer server;
    private final SecurityLayer security;
    private final Map<String, String> environment;

    private SecuredServer(TokenServer server, SecurityLayer security, Map<String, String> environment) {
        this.server = server;
        this.security = security;
        this.environment = environment;
    }

    /**
     * Loads the configuration, starts the security layer and the server, and logs how it runs.
     *
     * @param env the process environment ({@code workingDir/.env} supplies variables it lacks)
     * @param console where the generated development key is shown (standard output), never a logger
     * @param configPollInterval how often to check the YAML configuration file for changes; empty = never
     *     (then {@link #reloadSecurity()} re-reads it on demand)
     * @throws StartupException with one line to log and the exit code
     */
    public static SecuredServer start(Map<String, String> env, Path workingDir, PrintStream console,
            Optional<Duration> configPollInterval) throws StartupException {
        CredentialRedactingFilter.installOnFrameLoggers();
        ServerConfig config;
        Map<String, String> environment;
        try {
            config = ServerConfig.fromEnvironment(env, workingDir);
            environment = ServerConfig.environment(env, workingDir);
        } catch (ConfigException e) {
            throw configError(e.getMessage());
        }

        AtomicReference<String> developmentKey = new AtomicReference<>();
        SecurityConfig securityConfig;
        try {
            securityConfig = SecurityConfig.load(config.configFile(), environment, config.developmentDefault(),
                    new SecureRandom(), developmentKey::set);
        } catch (IOException | RuntimeException e) {
            throw configError(describe(config, e));
        }
        boolean certificatesMapped = !securityConfig.clientCertificates().isEmpty();
        boolean clientCa = config.tls().flatMap(TlsConfig::clientCa).isPresent();
        String noClientCa = "client_certificates need a client CA (TLS_CLIENT_CA_FILE or tls.clientCaFile)";
        if (!config.developmentDefault() && securityConfig.apiKeys().size() == 0 && !(certificatesMapped && clientCa)) {
            throw configError("no caller credentials configured: set " + SecurityConfig.ENV_API_KEYS
                    + "=<caller>=<key>[,...] or " + config.configFile()
                            .map(f -> "give callers api_keys or client_certificates in the security section of " + f)
                            .orElse("configure callers in the security section of a TOKEN_SERVICE_CONFIG file")
                    + (certificatesMapped ? " (" + noClientCa + ")" : "")
                    + " (see README); a server holding a real App Certificate never runs without caller authentication");
        }
        if (certificatesMapped && !clientCa) {
            LOG.warning("security: " + noClientCa + ", so no caller can authenticate with a certificate");
        }

        JsonAuditSink audit = new JsonAuditSink();
        SecurityLayer security;
        try {
            security = SecurityLayer.start(securityConfig, audit);
        } catch (IOException e) {
            throw configError(describe(config, e));
        }

        ServerConfig secured = config.toBuilder()
                .authenticator(security.interceptor())
                .accessGate(security.accessGate())
                .auditSink(audit)
                .maxTtlForCaller(security::maxTtlSeconds)
                .build();
        if (config.developmentDefault()) {
            LOG.warning("DEVELOPMENT MODE: no app configured (APP_ID + APP_CERTIFICATE, APP_CERTIFICATE_FILE, "
                    + ".env or TOKEN_SERVICE_CONFIG), so this server made up a throw-away app "
                    + config.apps().appIds().get(0) + " with a random certificate. AGORA WILL REJECT EVERY TOKEN "
                    + "IT ISSUES (error 110). Use it only to try the API; set APP_ID and APP_CERTIFICATE for real tokens.");
        }
        TokenServer server;
        try {
            server = TokenServer.start(secured);
        } catch (ConfigException e) {
            security.close();
            throw configError(e.getMessage());
        } catch (IOException e) {
            security.close();
            throw new StartupException("cannot listen on port " + config.grpcPort() + ": "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()), Main.EXIT_START);
        } catch (RuntimeException e) {
            security.close();
            throw e;
        }

        String reload = "";
        if (config.configFile().isPresent() && configPollInterval.isPresent()) {
            security.watchConfigFile(config.configFile().get(), environment, configPollInterval.get());
            reload = ", reloading the security section of " + config.configFile().get() + " when it changes";
        }
        LOG.info("token server listening on port " + server.port() + " (" + secured + "; callers "
                + securityConfig.policies().keySet() + ", " + securityConfig.apiKeys().size() + " API key(s), "
                + securityConfig.clientCertificates().entries().size() + " certificate subject(s), deny-list "
                + securityConfig.denyList().map(Path::toString).orElse("none") + reload + ")");
        if (developmentKey.get() != null) {
            console.print(developmentKeyBanner(developmentKey.get(), server.port(), config.tls().isPresent()));
            console.flush();
        }
        return new SecuredServer(server, security, environment);
    }

    private static StartupException configError(String message) {
        return new StartupException("configuration error: " + message, Main.EXIT_CONFIG);
    }

    private static String describe(ServerConfig config, Exception e) {
        if (e instanceof NoSuchFileException missing) {
            return missing.getFile() + ": file not found";
        }
        String message = Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName());
        if (config.configFile().isPresent() && message.startsWith("security")) {
            return config.configFile().get() + ": " + message;
        }
        return message;
    }

    /** What the console shows once in development mode: the key, and how to use it (not the key again). */
    static String developmentKeyBanner(String key, int port, boolean tls) {
        String n = System.lineSeparator();
        String rule = "-".repeat(100) + n;
        StringBuilder b = new StringBuilder(rule)
                .append("DEVELOPMENT API KEY for caller '").append(SecurityConfig.DEVELOPMENT_CALLER)
                .append("', shown only now (every start generates a new one):").append(n).append(n)
                .append("  export TOKEN_SERVICE_API_KEY=").append(key).append(n).append(n);
        if (tls) {
            b.append("Send it as gRPC metadata 'authorization: Bearer <key>' (this server speaks TLS).").append(n);
        } else {
            String target = "localhost:" + port;
            b.append("then, in the same shell (grpcurl: github.com/fullstorydev/grpcurl):").append(n)
                    .append("  grpcurl -plaintext -H \"authorization: Bearer $TOKEN_SERVICE_API_KEY\" \\").append(n)
                    .append("    -d '{\"channel\": \"demo\", \"uid\": 1234, \"role\": \"RTC_ROLE_PUBLISHER\"}' \\")
                    .append(n)
                    .append("    ").append(target).append(" tokenservice.v1.TokenService/IssueRtcToken").append(n)
                    .append("or the Java renewal demo, from the repository root:").append(n)
                    .append("  ")
                    .append(port == ServerConfig.DEFAULT_GRPC_PORT ? "" : "TOKEN_SERVICE_TARGET=" + target + " ")
                    .append("./mvnw -q -pl client exec:java").append(n);
        }
        b.append("Anything but development: set ").append(SecurityConfig.ENV_API_KEYS)
                .append(" or a security: section (README).").append(n);
        return b.append(rule).toString();
    }

    /**
     * Re-reads the {@code security:} section of the configuration file now (what the file watch does on a
     * change); see {@link SecurityLayer#reloadFrom}. False without a configuration file.
     */
    public boolean reloadSecurity() {
        Optional<Path> file = server.config().configFile();
        return file.isPresent() && security.reloadFrom(file.get(), environment);
    }

    public TokenServer tokenServer() {
        return server;
    }

    public SecurityLayer security() {
        return security;
    }

    /** The configuration the server runs with (security plugged in). */
    public ServerConfig config() {
        return server.config();
    }

    public int port() {
        return server.port();
    }

    /** Blocks until the server has terminated. */
    public void awaitTermination() throws InterruptedException {
        server.awaitTermination();
    }

    /** Graceful stop of the server ({@link TokenServer#close()}), then of the security layer's polling. */
    @Override
    public void close() {
        try {
            server.close();
        } finally {
            security.close();
        }
    }

    @Override
    public String toString() {
        return "SecuredServer[" + server + ", " + security.config() + "]";
    }
}
