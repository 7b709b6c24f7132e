package io.tokenservice.server.security;

import io.grpc.ServerInterceptor;
import io.tokenservice.server.access.AccessGate;
import io.tokenservice.server.access.AuditSink;
import io.tokenservice.server.access.Caller;
import io.tokenservice.server.access.GrantRequest;
import io.tokenservice.server.access.Rpc;
import io.tokenservice.server.auth.AuthenticationInterceptor;
import io.tokenservice.server.auth.Authenticator;
import io.tokenservice.server.config.SecuritySettings;
import io.tokenservice.server.config.ServerConfig;
import io.tokenservice.server.denylist.DenyListGate;
import io.tokenservice.server.policy.PolicyGate;
import io.tokenservice.server.ratelimit.RateLimiter;
import java.time.Clock;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

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
 */
public final class CallerSecurity implements AccessGate {
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

    /**
     * @param audit receives the refused authentications (the handlers record every other decision)
     * @param clock time of those audit events
     * @param nanoTime monotonic time of the rate limiter
     */
    public CallerSecurity(SecuritySettings settings, AuditSink audit, Clock clock, LongSupplier nanoTime) {
        this.rules = Rules.of(Objects.requireNonNull(settings, "settings"));
        this.audit = Objects.requireNonNull(audit, "audit");
        this.interceptor = new AuthenticationInterceptor(new Authenticator(() -> rules.credentials()), audit, clock);
        this.rateLimiter = new RateLimiter(nanoTime);
    }

    /** With the system clocks. */
    public CallerSecurity(SecuritySettings settings, AuditSink audit) {
        this(settings, audit, Clock.systemUTC(), System::nanoTime);
    }

    /** Plugs this security into a server: authenticator, access gate, audit sink, per-caller maximum lifetime. */
    public ServerConfig.Builder wire(ServerConfig.Builder server) {
        return server.authenticator(interceptor).accessGate(this).auditSink(audit).maxTtlForCaller(this::maxTtlSeconds);
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

    /** Rate limit, then may this caller call {@code rpc} at all. */
    @Override
    public void admit(Caller caller, Rpc rpc) {
        Rules r = rules;
        rateLimiter.acquire(caller.name(), r.settings().rateLimitOf(caller.name()));
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
