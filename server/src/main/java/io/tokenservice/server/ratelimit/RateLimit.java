package io.tokenservice.server.ratelimit;

/**
 * A token-bucket limit: on average {@code perSecond} calls per second, and up to {@code burst} calls at
 * once after a quiet period.
 */
public record RateLimit(double perSecond, int burst) {
    public static final double MAX_PER_SECOND = 1_000_000;
    public static final int MAX_BURST = 1_000_000;
    /** The limit of a caller whose configuration names none. */
    public static final RateLimit DEFAULT = new RateLimit(50, 100);

    public RateLimit {
        if (!(perSecond > 0 && perSecond <= MAX_PER_SECOND) || Double.isNaN(perSecond)) {
            throw new IllegalArgumentException("rate limit per_second must be above 0 and at most "
                    + (long) MAX_PER_SECOND + ", not " + perSecond);
        }
        if (burst < 1 || burst > MAX_BURST) {
            throw new IllegalArgumentException("rate limit burst must be between 1 and " + MAX_BURST
                    + ", not " + burst);
        }
    }

    /** Nanoseconds between two tokens. */
    long intervalNanos() {
        return Math.max(1L, Math.round(1e9 / perSecond));
    }

    @Override
    public String toString() {
        String rate = perSecond == Math.rint(perSecond) ? Long.toString((long) perSecond) : Double.toString(perSecond);
        return rate + " per second, burst " + burst;
    }
}
