package io.tokenservice.server.ratelimit;

/**
 * A token-bucket limit: on average {@code perSecond} calls per second, and up to {@code burst} calls at
 * once after a quiet period.
 */
public record RateLimit(double perSecond, int burst) {
    public static final double MAX_PER_SECOND = 1_000_000;
    public static final int MAX_BURST = 1_000_000;
    /**
     * The limit of a caller whose configuration names none. A caller is usually a whole backend, so this is
     * sized for one at an event start (10,000 users joining within a minute is about 170 calls/s, renewals
     * come on top), with a burst for a push notification that makes a thousand clients ask at once, while
     * still stopping a runaway loop long before it takes the server from other callers.
     */
    public static final RateLimit DEFAULT = new RateLimit(500, 1000);

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

    /**
     * {@code 500} (per second; burst twice that, at least 1) or {@code 500/1000} (per second / burst), as in
     * {@code TOKEN_SERVICE_RATE_LIMIT}. Messages quote the value: it is not a secret.
     */
    public static RateLimit parse(String text) {
        String value = text.strip();
        int slash = value.indexOf('/');
        String rate = slash < 0 ? value : value.substring(0, slash).strip();
        double perSecond;
        try {
            perSecond = Double.parseDouble(rate);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + value + "' is not a rate limit: write calls per second, "
                    + "optionally /burst (e.g. 500 or 500/1000)");
        }
        if (Double.isInfinite(perSecond) || Double.isNaN(perSecond) || !rate.matches("[0-9.]+")) {
            throw new IllegalArgumentException("'" + value + "' is not a rate limit: write calls per second, "
                    + "optionally /burst (e.g. 500 or 500/1000)");
        }
        if (slash < 0) {
            return new RateLimit(perSecond, (int) Math.max(1, Math.min(MAX_BURST, Math.ceil(2 * perSecond))));
        }
        String burst = value.substring(slash + 1).strip();
        if (!burst.matches("[0-9]{1,7}")) {
            throw new IllegalArgumentException("'" + value + "': the burst after '/' must be a whole number "
                    + "between 1 and " + MAX_BURST);
        }
        return new RateLimit(perSecond, Integer.parseInt(burst));
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
