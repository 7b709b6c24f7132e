package io.tokenservice.client.renew;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RateLimiterAndBackoffTest {
    private static final Instant T = Instant.parse("2030-01-01T00:00:00Z");

    @Test
    void allowsTwoPerSecondSliding() {
        RateLimiter limiter = RateLimiter.rtmDefault();
        assertThat(limiter.delay(T)).isZero();
        limiter.record(T);
        assertThat(limiter.delay(T.plusMillis(100))).isZero();
        limiter.record(T.plusMillis(100));
        assertThat(limiter.delay(T.plusMillis(200))).isEqualTo(Duration.ofMillis(800));
        assertThat(limiter.delay(T.plusMillis(1000))).isZero();
        limiter.record(T.plusMillis(1000));
        assertThat(limiter.delay(T.plusMillis(1050))).isEqualTo(Duration.ofMillis(50)); // 100 ms + 1 s
    }

    @Test
    void rejectsNonsense() {
        assertThatIllegalArgumentException().isThrownBy(() -> new RateLimiter(0, Duration.ofSeconds(1)));
        assertThatIllegalArgumentException().isThrownBy(() -> new RateLimiter(1, Duration.ZERO));
        assertThatIllegalArgumentException().isThrownBy(
                () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 0.1));
        assertThatIllegalArgumentException().isThrownBy(
                () -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1), 0.5, 0.1));
        assertThatIllegalArgumentException().isThrownBy(
                () -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1), 2, 1.5));
        assertThatIllegalArgumentException().isThrownBy(() -> Backoff.DEFAULT.delay(0, () -> 0L));
    }

    @Test
    void backoffWithoutJitterIsExactlyExponential() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 3.0, 0.0);
        assertThat(b.delay(1, () -> 0L)).isEqualTo(Duration.ofMillis(100));
        assertThat(b.delay(2, () -> 0L)).isEqualTo(Duration.ofMillis(300));
        assertThat(b.delay(3, () -> 0L)).isEqualTo(Duration.ofMillis(900));
        assertThat(b.delay(4, () -> 0L)).isEqualTo(Duration.ofSeconds(1));
        assertThat(b.delay(1000, () -> 0L)).isEqualTo(Duration.ofSeconds(1));
    }
}
