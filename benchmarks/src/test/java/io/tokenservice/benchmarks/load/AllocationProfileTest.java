package io.tokenservice.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class AllocationProfileTest {
    private static final long START = 1_000;
    private static final long END = 31_000;

    @Test
    void aThreadPresentThroughoutCountsTheGrowthOfItsCounter() {
        assertThat(AllocationProfile.grewDuringRecording(
                List.of(new long[] {START, 400}, new long[] {END, 1_400}), START, END)).isEqualTo(1_000);
    }

    @Test
    void aThreadStartedDuringTheRecordingCountsItsWholeCounter() {
        // Netty's second event-loop thread, started for the measured load's connection: only the end batch has it.
        assertThat(AllocationProfile.grewDuringRecording(List.of(new long[] {END, 606}), START, END)).isEqualTo(606);
    }

    @Test
    void aThreadThatEndedDuringTheRecordingCountsNothingMeasurable() {
        assertThat(AllocationProfile.grewDuringRecording(List.of(new long[] {START, 900}), START, END)).isZero();
    }
}
