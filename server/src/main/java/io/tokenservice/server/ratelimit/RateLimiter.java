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
 *
 * <p>Buckets are keyed by {@link io.tokenservice.server.access.Caller#rateLimitKey()}, one per end user for JWT
 * callers, so their number is not fixed by the configuration. Whenever a new bucket brings the count to twice
 * what the previous sweep left (at least {@value #MIN_SWEEP_SIZE}), the buckets that are full again are removed:
 * a full bucket admits exactly what a new one would, so eviction never changes a decision, and the map holds at
 * most about twice the users active within one refill period.
 */
public final class RateLimiter {
    static final int MIN_SWEEP_SIZE = 1024;

    private final LongSupplier nanoTime;
    private final ConcurrentHashMap<String, TokenBucket> buckets = new ConcurrentHashMap<>();
    private volatile int sweepAt = MIN_SWEEP_SIZE;

    /** @param nanoTime monotonic nanosecond source, {@code System::nanoTime} in production */
    public RateLimiter(LongSupplier nanoTime) {
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    }

    /**
     * Takes one token from the bucket {@code key} if it has one.
     *
     * @return 0 if taken, otherwise the nanoseconds until the bucket has a token
     */
    public long tryAcquire(String key, RateLimit limit) {
        long now = nanoTime.getAsLong();
        TokenBucket bucket = buckets.get(key);
        if (bucket == null || !bucket.limit().equals(limit)) {
            bucket = buckets.compute(key,
                    (name, old) -> old != null && old.limit().equals(limit) ? old : new TokenBucket(limit, now));
            if (buckets.size() >= sweepAt) {
                sweep(now);
            }
        }
        return bucket.tryAcquire(now);
    }

    private synchronized void sweep(long now) {
        if (buckets.size() < sweepAt) {
            return;
        }
        buckets.values().removeIf(b -> b.isFull(now));
        sweepAt = Math.max(MIN_SWEEP_SIZE, 2 * buckets.size());
    }

    /** How many buckets are held. */
    int size() {
        return buckets.size();
    }

    /** The RESOURCE_EXHAUSTED of a refused call, with the RetryInfo of a bucket that has a token in {@code waitNanos}. */
    public static StatusRuntimeException exhausted(String callerName, RateLimit limit, long waitNanos) {
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
