package io.tokenservice.server.ratelimit;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A lock-free token bucket in its "generic cell rate algorithm" form: one {@link AtomicLong} holds the
 * theoretical arrival time of the next call; a call is admitted (one CAS) unless that time lies more
 * than {@code burst} intervals ahead of now. Starts full.
 */
public final class TokenBucket {
    private final RateLimit limit;
    private final long intervalNanos;
    private final long toleranceNanos;
    private final AtomicLong theoreticalArrival;

    public TokenBucket(RateLimit limit, long nowNanos) {
        this.limit = limit;
        this.intervalNanos = limit.intervalNanos();
        this.toleranceNanos = intervalNanos * limit.burst();
        this.theoreticalArrival = new AtomicLong(nowNanos);
    }

    public RateLimit limit() {
        return limit;
    }

    /** Whether the bucket is full at {@code nowNanos}, so that it admits exactly what a new bucket would. */
    public boolean isFull(long nowNanos) {
        return theoreticalArrival.get() - nowNanos <= 0;
    }

    /**
     * Takes one token if available.
     *
     * @return 0 if the call is admitted, otherwise the nanoseconds until a token will be available
     */
    public long tryAcquire(long nowNanos) {
        while (true) {
            long tat = theoreticalArrival.get();
            long next = (tat - nowNanos > 0 ? tat : nowNanos) + intervalNanos;
            long wait = next - nowNanos - toleranceNanos;
            if (wait > 0) {
                return wait;
            }
            if (theoreticalArrival.compareAndSet(tat, next)) {
                return 0;
            }
        }
    }
}
