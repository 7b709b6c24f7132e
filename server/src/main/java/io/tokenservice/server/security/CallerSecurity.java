package io.tokenservice.server.security;

import io.grpc.ServerInterceptor;
import io.tokenservice.server.access.AccessGate;
import io.tokenservice.server.access.AuditSink;
import io.tokenservice.server.access.Caller;
import io.tokenservice.server.access.GrantRequest;
import io.tokenservice.server.access.Rpc;
import io.tokenservice.server.auth.AuthenticationInterceptor;
import io.tokenservice.server.auth.Authenticator;
import io.tokenservice.server.auth.JwksKeys;
import io.tokenservice.server.auth.JwksSource;
import io.tokenservice.server.auth.JwtVerifier;
import io.tokenservice.server.auth.RemoteJwksPool;
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
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Wires the caller security of one server from the {@link SecuritySettings} in force: authentication of every
 * call except health and reflection ({@link #interceptor()}), then per call, in the order of
 * {@link AccessGate}: when it starts, the rate limit and whether the caller's policy lets it call this RPC at
 * all ({@link #admit}: a call costs a rate-limit token before its request is read, whatever its outcome, so
 * probing the policy is rate limited too); once the request names its app, that app ({@link #admitApp}); then
 * the whole grant against the policy and the deny-list ({@link #check}). It decides nothing itself: auth,
 * ratelimit, policy and denylist do.
 *
 * <p>{@link #apply} swaps the settings as one value, without touching connections. Each step reads it once,
 * so the policy and the deny-list that judge a grant are of one configuration.
 *
 * <p>With Redis, every replica draws from one bucket per caller: {@link SharedRateLimitInterceptor} asks Redis
 * when the call's headers are authenticated and {@link #admit} applies its answer. Without, each replica has its own.
 */
public final class CallerSecurity implements AccessGate, AutoCloseable {
    /** One configuration's rules, built once per swap so the hot path builds nothing. */
    private record Rules(SecuritySettings settings, Authenticator.Snapshot credentials, PolicyGate policy,
            DenyListGate denyList) {
        static Rules of(SecuritySettings settings, RemoteJwksPool remoteKeys) {
            List<JwtVerifier.Issuer> issuers = new ArrayList<>();
            Set<URI> urls = new HashSet<>();
            settings.jwtCallers().forEach((caller, issuer) -> {
                Supplier<JwksKeys> keys;
                if (issuer.jwks() instanceof JwksSource.File file) {
                    JwksKeys fixed = file.keys();
                    keys = () -> fixed;
                } else {
                    JwksSource.Url url = (JwksSource.Url) issuer.jwks();
                    keys = remoteKeys.keysOf(url);
                    urls.add(url.uri());
                }
                issuers.add(new JwtVerifier.Issuer(caller, issuer, keys));
            });
            remoteKeys.retainOnly(urls);
            Optional<Caller> anonymous = settings.anonymous()
                    ? Optional.of(new Caller(SecuritySettings.ANONYMOUS_CALLER, Caller.AuthMethod.ANONYMOUS))
                    : Optional.empty();
            return new Rules(settings, new Authenticator.Snapshot(settings.apiKeys(), settings.clientCertificates(),
                    JwtVerifier.of(issuers), anonymous), new PolicyGate(settings.policies(), settings.bindings()),
                    DenyListGate.of(settings.denyList().entries()));
        }
    }

    private final RemoteJwksPool remoteKeys;
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
        this(settings, Optional.empty(), audit, clock, nanoTime, new RemoteJwksPool());
    }

    /**
     * With rate limits shared through {@code redis} if present (connecting now: see
     * {@link SharedRateLimiter#start}); {@link #close()} disconnects.
     *
     * @param clock time of those audit events and of JWT lifetimes
     * @param remoteKeys fetches the JWK sets of the {@code jwks_url}s (closed with this)
     */
    public CallerSecurity(SecuritySettings settings, Optional<RedisSettings> redis, AuditSink audit, Clock clock,
            LongSupplier nanoTime, RemoteJwksPool remoteKeys) {
        this.remoteKeys = Objects.requireNonNull(remoteKeys, "remoteKeys");
        this.rules = Rules.of(Objects.requireNonNull(settings, "settings"), remoteKeys);
        this.audit = Objects.requireNonNull(audit, "audit");
        this.interceptor = new AuthenticationInterceptor(new Authenticator(() -> rules.credentials(), clock), audit,
                clock);
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
            server.interceptor(new SharedRateLimitInterceptor(shared, Caller::rateLimitKey,
                    caller -> rules.settings().rateLimitOf(caller.name())));
        }
        return server.authenticator(interceptor).accessGate(this).auditSink(audit).maxTtlForCaller(this::maxTtlSeconds);
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
    public synchronized void apply(SecuritySettings next) {
        rules = Rules.of(Objects.requireNonNull(next, "next"), remoteKeys);
    }

    /** Stops refreshing JWK set URLs and disconnects from Redis, if the rate limits are shared. */
    @Override
    public void close() {
        remoteKeys.close();
        if (shared != null) {
            shared.close();
        }
    }

    /** Rate limit, then may this caller call {@code rpc} at all. */
    @Override
    public void admit(Caller caller, Rpc rpc) {
        Rules r = rules;
        RateLimit limit = r.settings().rateLimitOf(caller.name());
        long waitNanos = shared == null ? rateLimiter.tryAcquire(caller.rateLimitKey(), limit)
                : SharedRateLimitInterceptor.waitNanos().orElseThrow(() -> new IllegalStateException(
                        "no shared rate-limit answer: the call did not pass the SharedRateLimitInterceptor"));
        if (waitNanos > 0) {
            throw RateLimiter.exhausted(caller.rateLimitKey(), limit, waitNanos);
        }
        r.policy().admit(caller, rpc);
    }

    @Override
    public void admitApp(Caller caller, Rpc rpc, String appId) {
        rules.policy().admitApp(caller, rpc, appId);
    }

    /** Policy, then deny-list, both of one configuration; the call was charged when it was admitted. */
    @Override
    public void check(Caller caller, GrantRequest request) {
        Rules r = rules;
        r.policy().check(caller, request);
        r.denyList().check(caller, request);
    }

    /** See {@link PolicyGate#maxTtlSeconds(Caller)}. */
    public OptionalLong maxTtlSeconds(Caller caller) {
        return rules.policy().maxTtlSeconds(caller);
    }
}
