package io.tokenservice.client.renew;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Objects;

/**
 * Sliding-window limit of at most {@code permits} events per {@code window}. Agora Signaling (RTM) accepts
 * at most two renewToken calls per second; the renewer holds a renewed token back instead of exceeding it.
 * Not thread-safe: the renewer uses it from its serialized context only.
 */
public final class RateLimiter {
    /** RTM's limit: two renewals per second. */
    public static RateLimiter rtmDefault() {
        return new RateLimiter(2, Duration.ofSeconds(1));
    }

    private final int permits;
    private final Duration window;
    private final ArrayDeque<Instant> recent = new ArrayDeque<>();

    public RateLimiter(int permits, Duration window) {
        if (permits < 1) {
            throw new IllegalArgumentException("permits must be at least 1: " + permits);
        }
        Objects.requireNonNull(window, "window");
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window must be positive: " + window);
        }
        this.permits = permits;
        this.window = window;
    }

    /** How long to wait from {@code now} before the next event is allowed; zero if it is allowed now. */
    public Duration delay(Instant now) {
        while (!recent.isEmpty() && !recent.peekFirst().plus(window).isAfter(now)) {
            recent.removeFirst();
        }
        if (recent.size() < permits) {
            return Duration.ZERO;
        }
        return Duration.between(now, recent.peekFirst().plus(window));
    }

    /** Records an event at {@code now}. */
    public void record(Instant now) {
        recent.addLast(now);
        while (recent.size() > permits) {
            recent.removeFirst();
        }
    }

    public int permits() {
        return permits;
    }

    public Duration window() {
        return window;
    }
}
