package io.tokenservice.server.policy;

import io.grpc.ServerInterceptor;
import io.tokenservice.server.access.AccessGate;
import io.tokenservice.server.access.AuditSink;
import io.tokenservice.server.access.Caller;
import io.tokenservice.server.auth.AuthenticationInterceptor;
import io.tokenservice.server.auth.Authenticator;
import io.tokenservice.server.denylist.DenyListGate;
import io.tokenservice.server.ratelimit.RateLimitGate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * The caller-security components of one server, built from a {@link SecurityConfig} and reloadable as
 * a whole without touching connections:
 * <ul>
 *   <li>{@link #interceptor()}: authentication of every call except health and reflection;</li>
 *   <li>{@link #accessGate()}: rate limit, then policy, then deny-list (a refused call still costs a
 *       rate-limit token, so probing the policy is rate limited too);</li>
 *   <li>{@link #reload(SecurityConfig)}: swaps keys, certificate mapping, policies, limits and deny-list
 *       file for the next call;</li>
 *   <li>{@link #reloadFrom}/{@link #watchConfigFile}: the same from the YAML file, on demand or when
 *       the file changes;</li>
 *   <li>the deny-list file is also polled and reloaded on its own.</li>
 * </ul>
 */
public final class SecurityLayer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SecurityLayer.class.getName());

    private final Authenticator authenticator;
    private final AuthenticationInterceptor interceptor;
    private final RateLimitGate rateLimitGate;
    private final PolicyGate policyGate;
    private final DenyListGate denyListGate;
    private final AccessGate accessGate;
    private final ScheduledExecutorService scheduler;
    private final boolean ownsScheduler;
    private volatile SecurityConfig config;
    private ScheduledFuture<?> configPolling;

    private SecurityLayer(SecurityConfig config, AuditSink audit, Clock clock, LongSupplier nanoTime,
            ScheduledExecutorService scheduler, boolean ownsScheduler) throws IOException {
        this.config = config;
        this.authenticator = new Authenticator(config.apiKeys(), config.clientCertificates());
        this.interceptor = new AuthenticationInterceptor(authenticator, audit, clock);
        this.rateLimitGate = new RateLimitGate(config.rateLimits(), config.defaultRateLimit(), nanoTime);
        this.policyGate = new PolicyGate(config.policies());
        this.denyListGate = config.denyList().isPresent() ? DenyListGate.load(config.denyList().get())
                : DenyListGate.disabled();
        this.accessGate = AccessGates.inOrder(rateLimitGate, policyGate, denyListGate);
        this.scheduler = scheduler;
        this.ownsScheduler = ownsScheduler;
        denyListGate.startWatching(scheduler, config.denyListPollInterval());
    }

    /** With the system clocks and an own daemon thread polling the files. */
    public static SecurityLayer start(SecurityConfig config, AuditSink audit) throws IOException {
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "tokenservice-security-poller");
            t.setDaemon(true);
            return t;
        });
        scheduler.setRemoveOnCancelPolicy(true);
        try {
            return new SecurityLayer(config, audit, Clock.systemUTC(), System::nanoTime, scheduler, true);
        } catch (IOException | RuntimeException e) {
            scheduler.shutdownNow();
            throw e;
        }
    }

    /**
     * @param clock time of audit events for refused authentication
     * @param nanoTime monotonic time of the rate limiter
     * @param scheduler runs the deny-list polling; not shut down by {@link #close()}
     * @throws IOException if the configured deny-list file cannot be read or is invalid
     */
    public static SecurityLayer start(SecurityConfig config, AuditSink audit, Clock clock, LongSupplier nanoTime,
            ScheduledExecutorService scheduler) throws IOException {
        return new SecurityLayer(Objects.requireNonNull(config), Objects.requireNonNull(audit),
                Objects.requireNonNull(clock), Objects.requireNonNull(nanoTime), Objects.requireNonNull(scheduler),
                false);
    }

    /** The authentication interceptor; the same instance across reloads. */
    public ServerInterceptor interceptor() {
        return interceptor;
    }

    /** Rate limit, then policy, then deny-list; the same instance across reloads. */
    public AccessGate accessGate() {
        return accessGate;
    }

    /** See {@link PolicyGate#maxTtlSeconds(Caller)}. */
    public OptionalLong maxTtlSeconds(Caller caller) {
        return policyGate.maxTtlSeconds(caller);
    }

    public SecurityConfig config() {
        return config;
    }

    public Authenticator authenticator() {
        return authenticator;
    }

    public PolicyGate policyGate() {
        return policyGate;
    }

    public RateLimitGate rateLimitGate() {
        return rateLimitGate;
    }

    public DenyListGate denyListGate() {
        return denyListGate;
    }

    /**
     * Applies a new configuration to every later call; open connections and calls in flight are not
     * affected. All or nothing: if the new deny-list file cannot be read, an exception is thrown and the
     * old configuration stays in force. Policies are swapped before keys, so that a caller added by the
     * reload never authenticates without its policy, and one removed is refused by policy before its
     * key disappears.
     */
    public synchronized void reload(SecurityConfig next) throws IOException {
        Objects.requireNonNull(next, "next");
        denyListGate.switchTo(next.denyList());
        policyGate.update(next.policies());
        rateLimitGate.update(next.rateLimits(), next.defaultRateLimit());
        authenticator.update(next.apiKeys(), next.clientCertificates());
        if (!next.denyListPollInterval().equals(config.denyListPollInterval())) {
            denyListGate.startWatching(scheduler, next.denyListPollInterval());
        }
        config = next;
        LOG.info("security configuration reloaded: " + next);
    }

    /**
     * Re-reads the {@code security:} section of {@code configFile} (plus {@code env}, as at startup) and
     * applies it. Never throws: an unreadable or invalid file keeps the configuration in force and logs
     * one WARNING line. A file without {@code security:} section while the environment holds no API keys
     * also keeps the configuration in force (so the generated development key survives reloads).
     *
     * @return true if a new configuration was applied
     */
    public synchronized boolean reloadFrom(Path configFile, Map<String, String> env) {
        try {
            Optional<Map<String, Object>> section = SecurityConfig.readSection(configFile);
            Path parent = configFile.toAbsolutePath().getParent();
            SecurityConfig next = SecurityConfig.resolve(section, parent == null ? Path.of("") : parent, env, false,
                    null, line -> {});
            if (section.isEmpty() && next.apiKeys().size() == 0) {
                LOG.info("security configuration: " + configFile + " has no security section and "
                        + SecurityConfig.ENV_API_KEYS + " is unset; keeping the configuration in force");
                return false;
            }
            reload(next);
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.warning("security configuration in " + configFile + " not reloaded, keeping the one in force: "
                    + (e instanceof java.nio.file.NoSuchFileException ? "file not found" : e.getMessage()));
            return false;
        }
    }

    /**
     * Polls {@code configFile} every {@code interval} and calls {@link #reloadFrom} when its modification
     * time, size or identity changed. A broken file is reported once per change, not once per poll.
     */
    public synchronized void watchConfigFile(Path configFile, Map<String, String> env, Duration interval) {
        if (configPolling != null) {
            configPolling.cancel(false);
        }
        Object[] seen = {stamp(configFile)};
        long nanos = Math.max(1, interval.toNanos());
        configPolling = scheduler.scheduleWithFixedDelay(() -> {
            try {
                Object now = stamp(configFile);
                if (!now.equals(seen[0])) {
                    seen[0] = now;
                    reloadFrom(configFile, env);
                }
            } catch (RuntimeException e) {
                LOG.warning("security configuration poll failed: " + e.getMessage());
            }
        }, nanos, nanos, TimeUnit.NANOSECONDS);
    }

    private static Object stamp(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return List.of(a.lastModifiedTime().to(TimeUnit.NANOSECONDS), a.size(),
                    String.valueOf(a.fileKey()));
        } catch (IOException e) {
            return List.of("unreadable");
        }
    }

    /** Re-reads the deny-list file now (see {@link DenyListGate#reload()}). */
    public boolean reloadDenyList() {
        return denyListGate.reload();
    }

    @Override
    public synchronized void close() {
        if (configPolling != null) {
            configPolling.cancel(false);
            configPolling = null;
        }
        denyListGate.close();
        if (ownsScheduler) {
            scheduler.shutdownNow();
        }
    }
}
