package io.tokenservice.benchmarks.load;

/**
 * When each call of an open loop is meant to be sent: call {@code i} at {@code i / rate} seconds after the
 * start, whatever happened to the calls before it. A call's latency is measured from this intended time,
 * so a server (or a client) that stalls is charged for every call the stall delayed, not only for the one
 * it caught (coordinated omission).
 */
final class OpenLoopSchedule {
    private final double nanosPerCall;

    OpenLoopSchedule(double callsPerSecond) {
        if (!(callsPerSecond > 0) || Double.isInfinite(callsPerSecond)) {
            throw new IllegalArgumentException("rate must be a positive number of calls per second: " + callsPerSecond);
        }
        this.nanosPerCall = 1e9 / callsPerSecond;
    }

    /** Nanoseconds from the start of the run at which call {@code index} (from 0) is due. */
    long offsetNanos(long index) {
        return Math.round(index * nanosPerCall);
    }

    /** The first call due at or after {@code offsetNanos} from the start. */
    long firstIndexAtOrAfter(long offsetNanos) {
        long i = (long) Math.ceil(offsetNanos / nanosPerCall);
        while (i > 0 && offsetNanos(i - 1) >= offsetNanos) {
            i--;
        }
        while (offsetNanos(i) < offsetNanos) {
            i++;
        }
        return i;
    }

    /** How many calls are due in {@code [fromNanos, toNanos)} after the start. */
    long callsBetween(long fromNanos, long toNanos) {
        return firstIndexAtOrAfter(toNanos) - firstIndexAtOrAfter(fromNanos);
    }
}
