package io.tokenservice.server.security;

import io.grpc.ServerInterceptor;
import io.tokenservice.server.access.AccessGate;
import io.tokenservice.server.access.AuditSink;
import io.tokenservice.server.access.Caller;
import io.tokenservice.server.access.GrantRequest;
import io.tokenservice.server.auth.AuthenticationInterceptor;
import io.tokenservice.server.auth.Authenticator;
import io.tokenservice.server.config.RedisSettings;
import io.tokenservice.server.config.SecuritySettings;
import io.tokenservice.server.config.ServerConfig;
import io.tokenservice.server.denylist.DenyListGate;
import io.tokenservice.server.policy.PolicyGate;
import io.tokenservice.server.ratelimit.RateLimit;
import io.tokenservice.server.ratelimit.RateLimiter;
import io.tokenservice.server.ratelimit.SharedLimitStatus;
import io.tokenservice.server.ratelimit.SharedRateLimitInterceptor;
import io.tokenservice.server.ratelimit.SharedRateLimiter;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * Wires the caller security of one server from the {@link SecuritySettings} in force: authentication of every
 * call except health and reflection ({@link #interceptor()}), then per call the rate limit, the caller's policy
 * and the deny-list ({@link #check}: a refused call still costs a rate-limit token, so probing the policy is
 * rate limited too). It decides nothing itself: auth, ratelimit, policy and denylist do.
 *
 * <p>{@link #apply} swaps the settings as one value, without touching connections. Each access check reads it
 * once, so a call is never judged by the policy of one configuration and the deny-list of another.
 *
 * <p>With Redis, every replica draws from one bucket per caller: {@link SharedRateLimitInterceptor} asks Redis
 * when the call's headers are authenticated and the check applies its answer. Without, each replica has its own.
 */
public final class CallerSecurity implements AccessGate, AutoCloseable {
    /** One configuration's rules, built once per swap so the hot path builds nothing. */
    private record Rules(SecuritySettings settings, Authenticator.Snapshot credentials, PolicyGate policy,
            DenyListGate denyList) {
        static Rules of(SecuritySettings settings) {
            return new Rules(settings, new Authenticator.Snapshot(settings.apiKeys(), settings.clientCertificates()),
                    new PolicyGate(settings.policies()), DenyListGate.of(settings.denyList().entries()));
        }
    }

    private volatile Rules rules;
    private final AuditSink audit;
    private final AuthenticationInterceptor interceptor;
    private final RateLimiter rateLimiter;
    /** Null: the rate limits are this replica's alone. */
    private final SharedRateLimiter shared;

    /**
     * With rate limits per replica.
     *
     * @param audit receives the refused authentications (the handlers record every other decision)
     * @param clock time of those audit events
     * @param nanoTime monotonic time of the rate limiter
     */
    public CallerSecurity(SecuritySettings settings, AuditSink audit, Clock clock, LongSupplier nanoTime) {
        this(settings, Optional.empty(), audit, clock, nanoTime);
    }

    /**
     * With rate limits shared through {@code redis} if present (connecting now: see
     * {@link SharedRateLimiter#start}); {@link #close()} disconnects.
     */
    public CallerSecurity(SecuritySettings settings, Optional<RedisSettings> redis, AuditSink audit, Clock clock,
            LongSupplier nanoTime) {
        this.rules = Rules.of(Objects.requireNonNull(settings, "settings"));
        this.audit = Objects.requireNonNull(audit, "audit");
        this.interceptor = new AuthenticationInterceptor(new Authenticator(() -> rules.credentials()), audit, clock);
        this.rateLimiter = new RateLimiter(nanoTime);
        this.shared = redis.map(r -> SharedRateLimiter.start(r.redisUri(), r.caFile(), r.timeout(), rateLimiter,
                nanoTime)).orElse(null);
    }

    /** With the system clocks. */
    public CallerSecurity(SecuritySettings settings, AuditSink audit) {
        this(settings, audit, Clock.systemUTC(), System::nanoTime);
    }

    /** Plugs this security into a server: authenticator, access gate, audit sink, per-caller maximum lifetime. */
    public ServerConfig.Builder wire(ServerConfig.Builder server) {
        if (shared != null) {
            server.interceptor(new SharedRateLimitInterceptor(shared, CallerSecurity::bucketKey,
                    caller -> rules.settings().rateLimitOf(caller.name())));
        }
        return server.authenticator(interceptor).accessGate(this).auditSink(audit).maxTtlForCaller(this::maxTtlSeconds);
    }

    /** The bucket a caller draws from, here and in Redis. */
    private static String bucketKey(Caller caller) {
        return caller.name();
    }

    /** The state of the shared rate limits, for metrics; empty when each replica limits on its own. */
    public Optional<SharedLimitStatus> sharedLimits() {
        return Optional.ofNullable(shared).map(SharedRateLimiter::status);
    }

    /** Authentication of every TokenService call; health and reflection stay open. */
    public ServerInterceptor interceptor() {
        return interceptor;
    }

    /** The settings in force. */
    public SecuritySettings settings() {
        return rules.settings();
    }

    /** Applies {@code next} to every later call; open connections and calls in flight are not affected. */
    public void apply(SecuritySettings next) {
        rules = Rules.of(Objects.requireNonNull(next, "next"));
    }

    /** Rate limit, then policy, then deny-list, all of one configuration. */
    @Override
    public void check(Caller caller, GrantRequest request) {
        Rules r = rules;
        RateLimit limit = r.settings().rateLimitOf(caller.name());
        long waitNanos = shared == null ? rateLimiter.tryAcquire(bucketKey(caller), limit)
                : SharedRateLimitInterceptor.waitNanos().orElseThrow(() -> new IllegalStateException(
                        "no shared rate-limit answer: the call did not pass the SharedRateLimitInterceptor"));
        if (waitNanos > 0) {
            throw RateLimiter.exhausted(caller.name(), limit, waitNanos);
        }
        r.policy().check(caller, request);
        r.denyList().check(caller, request);
    }

    /** Disconnects from Redis, if the rate limits are shared. */
    @Override
    public void close() {
        if (shared != null) {
            shared.close();
        }
    }

    /** See {@link PolicyGate#maxTtlSeconds(Caller)}. */
    public OptionalLong maxTtlSeconds(Caller caller) {
        return rules.policy().maxTtlSeconds(caller);
    }
}
