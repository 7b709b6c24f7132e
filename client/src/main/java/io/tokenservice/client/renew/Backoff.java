package io.tokenservice.client.renew;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with jitter: the n-th retry (n = 1, 2, ...) waits {@code initial * multiplier^(n-1)},
 * capped at {@code max}, then multiplied by a random factor in {@code [1 - jitter, 1 + jitter)} so that
 * many clients that failed together do not retry together.
 *
 * @param initial    delay before the first retry
 * @param max        largest delay before jitter
 * @param multiplier growth per retry, at least 1
 * @param jitter     relative spread, 0 (none) to 1
 */
public record Backoff(Duration initial, Duration max, double multiplier, double jitter) {
    /** 1 s, 2 s, 4 s, ... up to 30 s, each +-20 %. */
    public static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 2.0, 0.2);

    public Backoff {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("initial must be positive: " + initial);
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("max " + max + " is less than initial " + initial);
        }
        if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("multiplier must be at least 1: " + multiplier);
        }
        if (!(jitter >= 0.0 && jitter <= 1.0)) {
            throw new IllegalArgumentException("jitter must be between 0 and 1: " + jitter);
        }
    }

    /** The delay before retry number {@code retry} (1 = the first retry). */
    public Duration delay(int retry, RandomGenerator random) {
        if (retry < 1) {
            throw new IllegalArgumentException("retry numbers start at 1: " + retry);
        }
        double base = initial.toNanos() * Math.pow(multiplier, retry - 1);
        base = Math.min(base, max.toNanos());
        double factor = jitter == 0.0 ? 1.0 : 1.0 - jitter + 2.0 * jitter * random.nextDouble();
        return Duration.ofNanos(Math.round(base * factor));
    }
}
