package io.tokenservice.server.ratelimit;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.rpc.Code;
import com.google.rpc.RetryInfo;
import io.grpc.StatusRuntimeException;
import io.tokenservice.server.access.Refusal;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Limits each caller's call rate with its own {@link TokenBucket}. A refusal is RESOURCE_EXHAUSTED carrying a
 * {@code google.rpc.RetryInfo} whose {@code retry_delay} is the time until the next token (rounded up to the
 * millisecond). The limit comes with each call, from the configuration in force: a caller whose limit is
 * unchanged keeps its bucket across reloads (a reload neither refills nor drains it); a caller whose limit
 * changed starts with a full bucket of the new size. Time comes from an injected nanosecond source, so tests
 * need no sleeping.
 */
public final class RateLimiter {
    private final LongSupplier nanoTime;
    private final ConcurrentHashMap<String, TokenBucket> buckets = new ConcurrentHashMap<>();

    /** @param nanoTime monotonic nanosecond source, {@code System::nanoTime} in production */
    public RateLimiter(LongSupplier nanoTime) {
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    }

    /** Takes one token from the caller's bucket or throws RESOURCE_EXHAUSTED with RetryInfo. */
    public void acquire(String callerName, RateLimit limit) {
        long now = nanoTime.getAsLong();
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
                        + String.format(Locale.ROOT, "%.3f", millis / 1000.0) + " s")
                .addDetails(Any.pack(RetryInfo.newBuilder().setRetryDelay(delay).build()))
                .build();
        return Refusal.of(status);
    }
}
