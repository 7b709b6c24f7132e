package io.tokenservice.server.ratelimit;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.rpc.Code;
import com.google.rpc.RetryInfo;
import io.grpc.StatusRuntimeException;
import io.tokenservice.server.access.AccessGate;
import io.tokenservice.server.access.Caller;
import io.tokenservice.server.access.GrantRequest;
import io.tokenservice.server.access.Refusal;
import io.tokenservice.server.access.Rpc;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * Limits each caller's call rate with its own {@link TokenBucket}. Every call costs a token when it starts
 * ({@link #admit}, before its request is read), whatever its outcome later, so a caller over its limit
 * learns nothing more from the server, and one that opens calls without ever sending a request is limited
 * too. A refusal is RESOURCE_EXHAUSTED carrying a
 * {@code google.rpc.RetryInfo} whose {@code retry_delay} is the time until the next token (rounded up to
 * the millisecond). Time comes from an injected nanosecond source, so tests need no sleeping.
 */
public final class RateLimitGate implements AccessGate {
    private record Limits(Map<String, RateLimit> perCaller, RateLimit fallback) {
        RateLimit of(String caller) {
            RateLimit l = perCaller.get(caller);
            return l != null ? l : fallback;
        }
    }

    private final LongSupplier nanoTime;
    private final AtomicReference<Limits> limits;
    private final ConcurrentHashMap<String, TokenBucket> buckets = new ConcurrentHashMap<>();

    /**
     * @param perCaller limits of named callers
     * @param fallback limit of any other caller (each with its own bucket)
     * @param nanoTime monotonic nanosecond source, {@code System::nanoTime} in production
     */
    public RateLimitGate(Map<String, RateLimit> perCaller, RateLimit fallback, LongSupplier nanoTime) {
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.limits = new AtomicReference<>(new Limits(Map.copyOf(perCaller), Objects.requireNonNull(fallback)));
    }

    /**
     * Replaces the limits. A caller whose limit is unchanged keeps its bucket (a reload neither refills
     * nor drains it); a caller whose limit changed starts with a full bucket of the new size.
     */
    public void update(Map<String, RateLimit> perCaller, RateLimit fallback) {
        Limits next = new Limits(Map.copyOf(perCaller), Objects.requireNonNull(fallback));
        limits.set(next);
        buckets.entrySet().removeIf(e -> !e.getValue().limit().equals(next.of(e.getKey())));
    }

    public RateLimit limitOf(String callerName) {
        return limits.get().of(callerName);
    }

    @Override
    public void admit(Caller caller, Rpc rpc) {
        acquire(caller.name());
    }

    /** Nothing more to decide once the call was admitted. */
    @Override
    public void check(Caller caller, GrantRequest request) {}

    /** Takes one token from the caller's bucket or throws RESOURCE_EXHAUSTED with RetryInfo. */
    public void acquire(String callerName) {
        long now = nanoTime.getAsLong();
        RateLimit limit = limits.get().of(callerName);
        TokenBucket bucket = buckets.get(callerName);
        if (bucket == null || !bucket.limit().equals(limit)) {
            bucket = buckets.compute(callerName,
                    (name, old) -> old != null && old.limit().equals(limit) ? old : new TokenBucket(limit, now));
        }
        long waitNanos = bucket.tryAcquire(now);
        if (waitNanos > 0) {
            throw exhausted(callerName, limit, waitNanos);
        }
    }

    static StatusRuntimeException exhausted(String callerName, RateLimit limit, long waitNanos) {
        long millis = Math.max(1, (waitNanos + 999_999) / 1_000_000);
        Duration delay = Duration.newBuilder()
                .setSeconds(millis / 1000)
                .setNanos((int) (millis % 1000) * 1_000_000)
                .build();
        com.google.rpc.Status status = com.google.rpc.Status.newBuilder()
                .setCode(Code.RESOURCE_EXHAUSTED_VALUE)
                .setMessage("rate limit of caller '" + callerName + "' exceeded (" + limit + "); retry in "
                        + String.format(java.util.Locale.ROOT, "%.3f", millis / 1000.0) + " s")
                .addDetails(Any.pack(RetryInfo.newBuilder().setRetryDelay(delay).build()))
                .build();
        return Refusal.of(status);
    }
}
