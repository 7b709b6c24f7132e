package io.tokenservice.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Random;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class IsoInstantTest {

    static Stream<Instant> instants() {
        Random random = new Random(16);
        Stream<Instant> edges = Stream.of(Instant.EPOCH, Instant.parse("2026-01-02T03:04:05Z"),
                Instant.parse("2024-02-29T23:59:59.999999999Z"), Instant.parse("2000-03-01T00:00:00.5Z"),
                Instant.parse("1969-12-31T23:59:59.000001Z"), Instant.parse("0001-01-01T00:00:00Z"),
                Instant.parse("9999-12-31T23:59:59.123Z"), Instant.parse("+10000-01-01T00:00:00Z"),
                Instant.parse("-0001-12-31T00:00:00Z"), Instant.MIN, Instant.MAX);
        Stream<Instant> nearNow = LongStream.range(0, 100).mapToObj(i -> Instant.ofEpochSecond(
                1_700_000_000L + random.nextInt(400_000_000), nanos(random)));
        Stream<Instant> anyYear = LongStream.range(0, 100).mapToObj(i -> Instant.ofEpochSecond(
                random.nextLong() % 253_402_300_800L, nanos(random)));
        return Stream.concat(edges, Stream.concat(nearNow, anyYear));
    }

    private static int nanos(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> 0;
            case 1 -> random.nextInt(1000) * 1_000_000;
            case 2 -> random.nextInt(1_000_000) * 1_000;
            default -> random.nextInt(1_000_000_000);
        };
    }

    @ParameterizedTest
    @MethodSource("instants")
    void writesWhatTheIsoInstantFormatterWrites(Instant at) {
        StringBuilder b = new StringBuilder("x");
        IsoInstant.append(at, b);
        assertThat(b.toString()).isEqualTo("x" + DateTimeFormatter.ISO_INSTANT.format(at));
    }
}
