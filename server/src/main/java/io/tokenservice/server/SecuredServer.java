package io.tokenservice.server;

import io.tokenservice.server.audit.AsyncAuditSink;
import io.tokenservice.server.audit.JsonAuditSink;
import io.tokenservice.server.auth.CredentialRedactingFilter;
import io.tokenservice.server.auth.RemoteJwksPool;
import io.tokenservice.server.config.ConfigException;
import io.tokenservice.server.config.ConfigLoader;
import io.tokenservice.server.config.Configuration;
import io.tokenservice.server.config.EnvironmentVariables;
import io.tokenservice.server.config.ServerConfig;
import io.tokenservice.server.config.ServerSettings;
import io.tokenservice.logging.LogSetup;
import io.tokenservice.server.metrics.AdminServer;
import io.tokenservice.server.metrics.ServerMetrics;
import io.tokenservice.server.security.CallerSecurity;
import io.tokenservice.server.security.ConfigWatcher;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.logging.Logger;

/**
 * The token server the way {@code java -jar token-server.jar} runs it: the {@link Configuration} from
 * {@link ConfigLoader} (environment, {@code .env}, {@code TOKEN_SERVICE_CONFIG}), caller security on every
 * TokenService RPC ({@link CallerSecurity}; health and reflection stay open) with the JSON audit log
 * ({@value JsonAuditSink#LOGGER_NAME}), and one {@link ConfigWatcher} that reloads the configuration when its
 * file or the deny-list changes.
 *
 * <p>Start-up refuses a configuration {@link ConfigLoader#load()} refuses (one line, {@link Main#EXIT_CONFIG}).
 * In development mode (nothing configured) the made-up API key is printed once on the console, never logged.
 * A reload applies the caller security (keys, certificate subjects, policies, rate limits, deny-list) of a
 * configuration that loads, without touching connections; apps, TLS, the port and the grace periods need a
 * restart.
 */
public final class SecuredServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SecuredServer.class.getName());
    /** How long a stop waits for the audit records still queued to be written. */
    static final Duration AUDIT_FLUSH_TIMEOUT = Duration.ofSeconds(10);

    private final TokenServer server;
    private final CallerSecurity security;
    private final ConfigWatcher watcher;
    private final ScheduledExecutorService poller;
    private final AsyncAuditSink auditQueue;
    private final ServerMetrics metrics;
    private final AdminServer admin;

    private SecuredServer(TokenServer server, CallerSecurity security, ConfigWatcher watcher,
            ScheduledExecutorService poller, AsyncAuditSink auditQueue, ServerMetrics metrics, AdminServer admin) {
        this.server = server;
        this.security = security;
        this.watcher = watcher;
        this.poller = poller;
        this.auditQueue = auditQueue;
        this.metrics = metrics;
        this.admin = admin;
    }

    /**
     * Loads the configuration, starts the server with caller security, and logs how it runs.
     *
     * @param env the process environment ({@code workingDir/.env} supplies variables it lacks)
     * @param console where the made-up development key is shown (standard output), never a logger
     * @param watchFiles whether to poll the configuration and deny-list files; without, {@link #watcher()}
     *     {@code .poll()} or {@link #reload()} do it on demand
     * @throws StartupException with one line to log and the exit code
     */
    public static SecuredServer start(Map<String, String> env, Path workingDir, PrintStream console,
            boolean watchFiles) throws StartupException {
        CredentialRedactingFilter.installOnFrameLoggers();
        ConfigLoader loader;
        Configuration config;
        try {
            loader = ConfigLoader.of(env, workingDir);
            config = loader.load();
        } catch (ConfigException e) {
            throw configError(e.getMessage());
        }
        if (LogSetup.bridged()) {
            // The environment's LOG_LEVEL/LOG_FORMAT applied from the start; the file's logging: section applies now.
            LogSetup.apply(config.logging());
        }
        config.warnings().forEach(LOG::warning);

        ServerMetrics metrics = new ServerMetrics();
        AsyncAuditSink auditQueue = new AsyncAuditSink(new JsonAuditSink(), AsyncAuditSink.DEFAULT_CAPACITY);
        metrics.auditQueue(auditQueue);
        CallerSecurity security = new CallerSecurity(config.security(), config.redis(),
                metrics.decisions(auditQueue), Clock.systemUTC(), System::nanoTime, new RemoteJwksPool());
        security.sharedLimits().ifPresent(metrics::sharedLimits);
        if (config.development()) {
            LOG.warning("DEVELOPMENT MODE: no app configured (APP_ID + APP_CERTIFICATE, APP_CERTIFICATE_FILE, "
                    + ".env or TOKEN_SERVICE_CONFIG), so this server made up a throw-away app "
                    + config.apps().appIds().get(0) + " with a random certificate. AGORA WILL REJECT EVERY TOKEN "
                    + "IT ISSUES (error 110). Use it only to try the API; set APP_ID and APP_CERTIFICATE for real tokens.");
        }
        TokenServer server;
        try {
            server = TokenServer.start(security.wire(ServerConfig.builder().settings(config))
                    .observer(metrics.rpcs()).build());
        } catch (ConfigException e) {
            security.close();
            auditQueue.close();
            throw configError(e.getMessage());
        } catch (IOException e) {
            security.close();
            auditQueue.close();
            throw new StartupException("cannot listen on port " + config.server().grpcPort() + ": "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()), Main.EXIT_START);
        }
        AdminServer admin = null;
        if (config.admin().port().isPresent()) {
            InetSocketAddress address = new InetSocketAddress(config.admin().bindAddress(),
                    config.admin().port().getAsInt());
            try {
                admin = AdminServer.start(address, metrics::scrape);
            } catch (IOException e) {
                server.close();
                security.close();
                auditQueue.close();
                throw new StartupException("cannot listen on the admin port " + address + ": " + e.getMessage(),
                        Main.EXIT_START);
            }
            LOG.info("metrics at http://" + hostPort(admin.address()) + AdminServer.METRICS_PATH);
        }

        ConfigWatcher watcher = new ConfigWatcher(loader, config, next -> security.apply(next.security()),
                metrics::reloaded);
        ScheduledExecutorService poller = null;
        if (watchFiles && ConfigWatcher.pollInterval(config).isPresent()) {
            poller = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "tokenservice-config-watcher");
                t.setDaemon(true);
                return t;
            });
            watcher.start(poller);
        }
        // The one line that says the server is ready: what operators and scripts grep for.
        LOG.info("SERVING: token server listening on port " + server.port() + " (" + config
                + (poller == null ? "" : "; reloading when " + config.watchedFiles() + " change") + ")");
        loader.developmentKey().ifPresent(key -> {
            console.print(developmentKeyBanner(key, server.port(), config.tls().isPresent()));
            console.flush();
        });
        return new SecuredServer(server, security, watcher, poller, auditQueue, metrics, admin);
    }

    private static String hostPort(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    private static StartupException configError(String message) {
        return new StartupException("configuration error: " + message, Main.EXIT_CONFIG);
    }

    /** What the console shows once in development mode: the key, and how to use it (not the key again). */
    static String developmentKeyBanner(String key, int port, boolean tls) {
        String n = System.lineSeparator();
        String rule = "-".repeat(100) + n;
        StringBuilder b = new StringBuilder(rule)
                .append("DEVELOPMENT API KEY for caller '").append(ConfigLoader.DEVELOPMENT_CALLER)
                .append("', shown only now (every start generates a new one):").append(n).append(n)
                .append("  export TOKEN_SERVICE_API_KEY=").append(key).append(n).append(n)
                .append("Its tokens are for the made-up app only, so this caller may try everything the API offers:")
                .append(n)
                .append("every service, channel and identity, the wildcard (uid 0 / empty account), Chat and APaaS app")
                .append(n)
                .append("tokens, RTM 2.x resource permissions, ")
                .append("renewing and inspecting. Keys from ").append(EnvironmentVariables.TOKEN_SERVICE_API_KEYS)
                .append(" get the narrower quick-start policy.").append(n).append(n);
        if (tls) {
            b.append("Send it as gRPC metadata 'authorization: Bearer <key>' (this server speaks TLS).").append(n);
        } else {
            String target = "localhost:" + port;
            b.append("This server speaks plaintext (no TLS). Then, in the same shell (grpcurl: ")
                    .append("github.com/fullstorydev/grpcurl):").append(n)
                    .append("  grpcurl -plaintext -H \"authorization: Bearer $TOKEN_SERVICE_API_KEY\" \\").append(n)
                    .append("    -d '{\"channel\": \"demo\", \"uid\": 1234, \"role\": \"RTC_ROLE_PUBLISHER\"}' \\")
                    .append(n)
                    .append("    ").append(target).append(" tokenservice.v1.TokenService/IssueRtcToken").append(n)
                    .append("or the Java client: TokenClient.builder().target(\"").append(target)
                    .append("\").plaintext().apiKey(key).build()").append(n)
                    .append("or the Java renewal demo, from the repository root:").append(n)
                    .append("  ")
                    .append(port == ServerSettings.DEFAULT_GRPC_PORT ? "" : "TOKEN_SERVICE_TARGET=" + target + " ")
                    .append("./mvnw -q -pl client exec:java").append(n);
        }
        b.append("Anything but development: set ").append(EnvironmentVariables.TOKEN_SERVICE_API_KEYS)
                .append(" or a security: section (README).").append(n);
        return b.append(rule).toString();
    }

    /**
     * Loads the configuration now and applies it if it loads (what the watcher does when a file changed);
     * see {@link ConfigWatcher#reload()}.
     */
    public boolean reload() {
        return watcher.reload();
    }

    /** The watcher of the configuration and deny-list files, for polling on demand. */
    public ConfigWatcher watcher() {
        return watcher;
    }

    /** The configuration in force (the last one applied). */
    public Configuration configuration() {
        return watcher.current();
    }

    /** The configuration the server runs with (security plugged in). */
    public ServerConfig config() {
        return server.config();
    }

    public int port() {
        return server.port();
    }

    /** The connections open now on which no call has authenticated yet. */
    public int unauthenticatedConnections() {
        return server.unauthenticatedConnections();
    }

    /** The admin HTTP port ({@code /metrics}); empty unless configured. */
    public OptionalInt adminPort() {
        return admin == null ? OptionalInt.empty() : OptionalInt.of(admin.port());
    }

    public ServerMetrics metrics() {
        return metrics;
    }

    /** The queue between the calls and the audit log. */
    public AsyncAuditSink auditQueue() {
        return auditQueue;
    }

    /** Blocks until the server has terminated. */
    public void awaitTermination() throws InterruptedException {
        server.awaitTermination();
    }

    /**
     * Graceful stop of the server ({@link TokenServer#close()}), then the audit log is written out (for up to
     * {@link #AUDIT_FLUSH_TIMEOUT}), then the file polling, Redis and the admin port stop.
     */
    @Override
    public void close() {
        try {
            server.close();
        } finally {
            auditQueue.close(AUDIT_FLUSH_TIMEOUT);
            watcher.close();
            security.close();
            if (poller != null) {
                poller.shutdownNow();
            }
            if (admin != null) {
                admin.close();
            }
            metrics.close();
        }
    }

    /** Caller security as it runs (for metrics: {@link CallerSecurity#sharedLimits()}). */
    public CallerSecurity security() {
        return security;
    }

    @Override
    public String toString() {
        return "SecuredServer[" + server + "; " + watcher.current().security() + "]";
    }
}
