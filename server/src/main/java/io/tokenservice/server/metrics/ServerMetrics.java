package io.tokenservice.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tokenservice.server.access.AuditSink;
import io.tokenservice.server.audit.AsyncAuditSink;
import io.tokenservice.server.ratelimit.SharedLimitStatus;
import io.tokenservice.server.security.ConfigWatcher.ReloadOutcome;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * The server's Prometheus metrics (the README's Operations section lists every name and label). Labels carry
 * only bounded values: RPC names, status codes, refusal reasons, service kinds, configured App IDs and configured
 * caller names; never a channel, uid, account, token or certificate subject. Meters are bound once (or once per
 * label combination), so counting on the call path is an array or map read and an atomic add.
 */
public final class ServerMetrics {
    private final PrometheusMeterRegistry registry;
    private final Map<ReloadOutcome, Counter> reloads = new EnumMap<>(ReloadOutcome.class);
    private final JvmGcMetrics gc = new JvmGcMetrics();

    public ServerMetrics() {
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Gauge.builder("tokenservice.build.info", () -> 1)
                .description("Build information; the value is always 1")
                .tag("version", BuildInfo.version())
                .tag("java_version", System.getProperty("java.version", "unknown"))
                .register(registry);
        for (ReloadOutcome outcome : ReloadOutcome.values()) {
            reloads.put(outcome, Counter.builder("tokenservice.config.reloads")
                    .description("Configuration reloads, by outcome (applied, invalid, refused)")
                    .tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
                    .register(registry));
        }
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition of every metric. */
    public String scrape() {
        return registry.scrape();
    }

    /** Counts every RPC of the token service by status code, and its latency. */
    public RpcMetricsInterceptor rpcs() {
        return new RpcMetricsInterceptor(registry);
    }

    /** Counts each decision (tokens issued and renewed, refusals by reason, rate-limit hits), then passes it on. */
    public AuditSink decisions(AuditSink next) {
        return new DecisionMetrics(registry, next);
    }

    /** The audit queue's depth, capacity, refused records and sink failures. */
    public void auditQueue(AsyncAuditSink queue) {
        Gauge.builder("tokenservice.audit.queue.depth", queue, AsyncAuditSink::depth)
                .description("Audit records waiting to be written").register(registry);
        Gauge.builder("tokenservice.audit.queue.capacity", queue, AsyncAuditSink::capacity)
                .description("How many audit records may wait").register(registry);
        FunctionCounter.builder("tokenservice.audit.records.rejected", queue, AsyncAuditSink::rejected)
                .description("Audit records the full queue could not take: each one a call refused with UNAVAILABLE "
                        + "(or, for a refusal, a refusal not audited)")
                .register(registry);
        FunctionCounter.builder("tokenservice.audit.sink.failures", queue, AsyncAuditSink::sinkFailures)
                .description("Failed attempts to write an audit record (each retry counts)").register(registry);
    }

    /** Whether the shared rate limits in Redis are in force, their outages, and who decided each call. */
    public void sharedLimits(SharedLimitStatus status) {
        Gauge.builder("tokenservice.rate.limit.redis.up", status, s -> s.outage() ? 0 : 1)
                .description("1 while calls are limited by the shared buckets in Redis, 0 during an outage "
                        + "(each replica then limits on its own)")
                .register(registry);
        Gauge.builder("tokenservice.rate.limit.redis.connected", status, s -> s.connected() ? 1 : 0)
                .description("1 while the connection to Redis is up").register(registry);
        FunctionCounter.builder("tokenservice.rate.limit.redis.outages", status, SharedLimitStatus::outages)
                .description("Redis outages begun since start (one per outage, however many calls it affected)")
                .register(registry);
        FunctionCounter.builder("tokenservice.rate.limit.calls", status, SharedLimitStatus::sharedCalls)
                .description("Rate-limited calls, by what decided them: the shared bucket in Redis or, when Redis "
                        + "did not answer in time, this replica's own bucket")
                .tag("decided_by", "redis").register(registry);
        FunctionCounter.builder("tokenservice.rate.limit.calls", status, SharedLimitStatus::fallbackCalls)
                .description("Rate-limited calls, by what decided them: the shared bucket in Redis or, when Redis "
                        + "did not answer in time, this replica's own bucket")
                .tag("decided_by", "replica").register(registry);
    }

    /** Counts one configuration reload. */
    public void reloaded(ReloadOutcome outcome) {
        reloads.get(outcome).increment();
    }

    /** Releases what the JVM binders hold. */
    public void close() {
        gc.close();
        registry.close();
    }
}
