package io.tokenservice.server.metrics;

import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tokenservice.server.access.AuditEvent;
import io.tokenservice.server.access.AuditSink;
import io.tokenservice.server.access.AuditUnavailableException;
import io.tokenservice.server.access.Caller;
import io.tokenservice.server.access.GrantRequest;
import io.tokenservice.server.access.RequestedService;
import io.tokenservice.server.access.Rpc;
import io.tokenservice.server.access.ServiceKind;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Counts every token decision the audit log receives (each call makes exactly one), then hands it on:
 * <ul>
 * <li>{@code tokenservice_tokens_issued_total{service,app,caller}}: per service in an issued token;</li>
 * <li>{@code tokenservice_tokens_renewed_total{app,caller}};</li>
 * <li>{@code tokenservice_refusals_total{rpc,reason}}, reason one of {@link Reason};</li>
 * <li>{@code tokenservice_rate_limit_hits_total{caller}}.</li>
 * </ul>
 * Only decisions that were allowed carry the app and the caller: an allowed call's app is a configured one and
 * its caller a configured caller name, so both are bounded. A refusal is counted by RPC and reason alone.
 */
final class DecisionMetrics implements AuditSink {
    /** Why a call was refused, as the {@code reason} label says it. */
    enum Reason {
        AUTHENTICATION, POLICY, DENY_LIST, RATE_LIMIT, VALIDATION, AUDIT_UNAVAILABLE, UNKNOWN_APP, EXPIRED, CANCELLED,
        INTERNAL, OTHER;

        final String label = name().toLowerCase(Locale.ROOT);

        static Reason of(AuditEvent event) {
            return switch (event.outcome()) {
                case UNAUTHENTICATED -> AUTHENTICATION;
                case PERMISSION_DENIED -> event.reason().startsWith("deny-list") ? DENY_LIST : POLICY;
                case RESOURCE_EXHAUSTED -> RATE_LIMIT;
                case INVALID_ARGUMENT -> VALIDATION;
                case UNAVAILABLE -> AUDIT_UNAVAILABLE;
                case NOT_FOUND -> UNKNOWN_APP;
                case FAILED_PRECONDITION -> EXPIRED;
                case CANCELLED, DEADLINE_EXCEEDED -> CANCELLED;
                case INTERNAL -> INTERNAL;
                default -> OTHER;
            };
        }
    }

    private static final Rpc[] RPCS = Rpc.values();
    private static final Reason[] REASONS = Reason.values();
    private static final ServiceKind[] KINDS = ServiceKind.values();

    private final MeterRegistry registry;
    private final AuditSink next;
    private final AtomicReferenceArray<Counter> refusals = new AtomicReferenceArray<>(RPCS.length * REASONS.length);
    /** caller -> app -> a counter per service kind. */
    private final Map<String, Map<String, Counter[]>> issued = new ConcurrentHashMap<>();
    /** caller -> app -> renewals. */
    private final Map<String, Map<String, Counter>> renewed = new ConcurrentHashMap<>();
    private final Map<String, Counter> rateLimited = new ConcurrentHashMap<>();

    DecisionMetrics(MeterRegistry registry, AuditSink next) {
        this.registry = registry;
        this.next = next;
    }

    @Override
    public void record(AuditEvent event) {
        try {
            next.record(event);
        } catch (AuditUnavailableException e) {
            refused(event.rpc(), Reason.AUDIT_UNAVAILABLE);
            throw e;
        }
        if (event.outcome() == Status.Code.OK) {
            allowed(event);
            return;
        }
        Reason reason = Reason.of(event);
        refused(event.rpc(), reason);
        if (reason == Reason.RATE_LIMIT && event.caller().isPresent()) {
            rateLimited.computeIfAbsent(event.caller().get().name(), caller -> Counter
                    .builder("tokenservice.rate.limit.hits")
                    .description("Calls refused by a caller's rate limit")
                    .tag("caller", caller)
                    .register(registry)).increment();
        }
    }

    private void allowed(AuditEvent event) {
        if (event.caller().isEmpty() || event.grant().isEmpty()) {
            return;
        }
        String caller = event.caller().map(Caller::name).get();
        GrantRequest grant = event.grant().get();
        switch (event.rpc()) {
            case RENEW_TOKEN -> renewed.computeIfAbsent(caller, c -> new ConcurrentHashMap<>())
                    .computeIfAbsent(grant.appId(), app -> Counter.builder("tokenservice.tokens.renewed")
                            .description("Tokens renewed")
                            .tag("app", app).tag("caller", caller)
                            .register(registry)).increment();
            case INSPECT_TOKEN -> { }
            default -> {
                Counter[] byKind = issued.computeIfAbsent(caller, c -> new ConcurrentHashMap<>())
                        .computeIfAbsent(grant.appId(), app -> issuedCounters(app, caller));
                List<RequestedService> services = grant.services();
                for (int i = 0, n = services.size(); i < n; i++) {
                    byKind[services.get(i).kind().ordinal()].increment();
                }
            }
        }
    }

    private Counter[] issuedCounters(String app, String caller) {
        Counter[] counters = new Counter[KINDS.length];
        for (ServiceKind kind : KINDS) {
            counters[kind.ordinal()] = Counter.builder("tokenservice.tokens.issued")
                    .description("Tokens issued, per service they grant")
                    .tag("service", kind.name().toLowerCase(Locale.ROOT)).tag("app", app).tag("caller", caller)
                    .register(registry);
        }
        return counters;
    }

    private void refused(Rpc rpc, Reason reason) {
        int i = rpc.ordinal() * REASONS.length + reason.ordinal();
        Counter counter = refusals.get(i);
        if (counter == null) {
            counter = Counter.builder("tokenservice.refusals")
                    .description("Calls refused, by RPC and reason")
                    .tag("rpc", rpc.methodName()).tag("reason", reason.label)
                    .register(registry);
            refusals.set(i, counter);
        }
        counter.increment();
    }
}
