package io.tokenservice.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OpenLoopScheduleTest {

    @Test
    void callsAreDueAtFixedIntervalsFromTheStart() {
        OpenLoopSchedule s = new OpenLoopSchedule(20_000);
        assertThat(s.offsetNanos(0)).isZero();
        assertThat(s.offsetNanos(1)).isEqualTo(50_000);
        assertThat(s.offsetNanos(20_000)).isEqualTo(1_000_000_000L);
    }

    @Test
    void fractionalIntervalsDoNotDrift() {
        // 3 calls a second: 333,333,333.3 ns apart; call 3 million is due exactly 1,000,000 s in.
        OpenLoopSchedule s = new OpenLoopSchedule(3);
        assertThat(s.offsetNanos(1)).isEqualTo(333_333_333L);
        assertThat(s.offsetNanos(2)).isEqualTo(666_666_667L);
        assertThat(s.offsetNanos(3_000_000)).isEqualTo(1_000_000L * 1_000_000_000L);
    }

    @ParameterizedTest
    @ValueSource(doubles = {1, 3, 7.5, 1000, 20_000, 123_457})
    void aWindowHoldsRateTimesItsLengthCalls(double rate) {
        OpenLoopSchedule s = new OpenLoopSchedule(rate);
        long fiveSeconds = 5_000_000_000L;
        long tenSeconds = 10_000_000_000L;
        assertThat(s.callsBetween(fiveSeconds, fiveSeconds + tenSeconds)).isEqualTo(Math.round(rate * 10));
        long first = s.firstIndexAtOrAfter(fiveSeconds);
        assertThat(s.offsetNanos(first)).isGreaterThanOrEqualTo(fiveSeconds);
        if (first > 0) {
            assertThat(s.offsetNanos(first - 1)).isLessThan(fiveSeconds);
        }
    }

    @ParameterizedTest
    @ValueSource(doubles = {0, -1, Double.NaN, Double.POSITIVE_INFINITY})
    void aRateMustBePositive(double rate) {
        assertThatThrownBy(() -> new OpenLoopSchedule(rate)).isInstanceOf(IllegalArgumentException.class);
    }
}
