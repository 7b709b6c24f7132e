package io.tokenservice.server.ratelimit;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The state of the shared (Redis) rate limits, for metrics: whether Redis is out (each replica then limits on
 * its own), how many outages began, and how many calls were limited by a replica's own buckets. Reads are
 * cheap and lock-free, so a metrics registry can poll them as gauges and counters.
 */
public final class SharedLimitStatus {
    /** Even while Redis answers, odd during an outage; moves on by one at each change. */
    private final AtomicLong epoch = new AtomicLong();
    private final AtomicLong sharedCalls = new AtomicLong();
    private final AtomicLong fallbackCalls = new AtomicLong();
    private volatile boolean connected;

    /** Whether the connection to Redis is up (calls may still time out on a Redis that is up but slow). */
    public boolean connected() {
        return connected;
    }

    void connected(boolean up) {
        connected = up;
    }

    /** Whether the replica limits calls on its own right now, because Redis did not answer. */
    public boolean outage() {
        return (epoch.get() & 1) == 1;
    }

    /** How many outages have begun since start (one per start, however many calls it affected). */
    public long outages() {
        return (epoch.get() + 1) / 2;
    }

    /** Calls decided by the shared bucket in Redis. */
    public long sharedCalls() {
        return sharedCalls.get();
    }

    /** Calls decided by this replica's own bucket because Redis did not answer in time. */
    public long fallbackCalls() {
        return fallbackCalls.get();
    }

    long epoch() {
        return epoch.get();
    }

    /** Counts a shared decision; true if it ends the outage in force when the call was sent ({@code sentAt}). */
    boolean answered(long sentAt) {
        sharedCalls.incrementAndGet();
        return (sentAt & 1) == 1 && epoch.compareAndSet(sentAt, sentAt + 1);
    }

    /**
     * Counts a replica-local decision; true if it starts an outage. A late failure of a call sent before the
     * last recovery ({@code sentAt} is stale) changes nothing, so stragglers do not flap the state.
     */
    boolean failed(long sentAt) {
        fallbackCalls.incrementAndGet();
        return unreachable(sentAt);
    }

    /** Redis could not be reached by an attempt begun at {@code sentAt}; true if that starts an outage. */
    boolean unreachable(long sentAt) {
        return (sentAt & 1) == 0 && epoch.compareAndSet(sentAt, sentAt + 1);
    }

    @Override
    public String toString() {
        return (outage() ? "outage" : "shared") + (connected ? ", connected" : ", not connected") + ", outages " + outages() + ", shared calls " + sharedCalls()
                + ", fallback calls " + fallbackCalls();
    }
}
