package io.tokenservice.server.audit;

import java.time.Instant;
import java.time.format.DateTimeFormatter;

/**
 * Writes an {@link Instant} exactly as {@link DateTimeFormatter#ISO_INSTANT} does ({@code 2026-01-02T03:04:05Z},
 * the fraction in groups of three digits as long as needed) into a builder, without the formatter's per-call
 * objects: the audit log writes one per call.
 */
final class IsoInstant {
    private static final long SECONDS_PER_DAY = 86_400;
    /** 0001-01-01T00:00:00Z and 10000-01-01T00:00:00Z: four-digit years, the only ones written here. */
    private static final long MIN_FAST = -62_135_596_800L;
    private static final long MAX_FAST = 253_402_300_800L;

    private IsoInstant() {}

    static void append(Instant at, StringBuilder b) {
        long seconds = at.getEpochSecond();
        if (seconds < MIN_FAST || seconds >= MAX_FAST) {
            b.append(DateTimeFormatter.ISO_INSTANT.format(at));
            return;
        }
        long days = Math.floorDiv(seconds, SECONDS_PER_DAY);
        int secondOfDay = (int) Math.floorMod(seconds, SECONDS_PER_DAY);
        // Civil date from days since 1970-01-01 (proleptic Gregorian), by 400-year eras starting in March.
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long dayOfEra = z - era * 146_097;
        long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long monthFromMarch = (5 * dayOfYear + 2) / 153;
        int day = (int) (dayOfYear - (153 * monthFromMarch + 2) / 5 + 1);
        int month = (int) (monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9);
        int year = (int) (yearOfEra + era * 400 + (month <= 2 ? 1 : 0));
        digits(b, year, 4);
        b.append('-');
        digits(b, month, 2);
        b.append('-');
        digits(b, day, 2);
        b.append('T');
        digits(b, secondOfDay / 3600, 2);
        b.append(':');
        digits(b, secondOfDay / 60 % 60, 2);
        b.append(':');
        digits(b, secondOfDay % 60, 2);
        int nanos = at.getNano();
        if (nanos != 0) {
            b.append('.');
            if (nanos % 1_000_000 == 0) {
                digits(b, nanos / 1_000_000, 3);
            } else if (nanos % 1_000 == 0) {
                digits(b, nanos / 1_000, 6);
            } else {
                digits(b, nanos, 9);
            }
        }
        b.append('Z');
    }

    private static void digits(StringBuilder b, int value, int width) {
        for (int unit = pow10(width - 1); unit > 0; unit /= 10) {
            b.append((char) ('0' + value / unit % 10));
        }
    }

    private static int pow10(int n) {
        int p = 1;
        for (int i = 0; i < n; i++) {
            p *= 10;
        }
        return p;
    }
}
