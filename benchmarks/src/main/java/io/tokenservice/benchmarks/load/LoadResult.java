package io.tokenservice.benchmarks.load;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * What a measurement saw: the successful calls' latencies (nanoseconds; from the intended send time in an
 * open loop), and the failed calls by status code. Failed calls are not in the histogram (a fast refusal
 * would flatter the latency) nor in the rate. {@code loaderCores} is the CPU this generator's process used over
 * the measurement, in cores (CPU time / wall time): near 1 with the generator pinned to one core, the figure is
 * the generator's limit, not the server's; NaN when not measured.
 */
record LoadResult(String description, double seconds, Histogram latencyNanos, Map<String, Long> errors,
        double loaderCores) {

    LoadResult {
        errors = Map.copyOf(new TreeMap<>(errors));
    }

    long ok() {
        return latencyNanos.getTotalCount();
    }

    long failed() {
        return errors.values().stream().mapToLong(Long::longValue).sum();
    }

    double rps() {
        return ok() / seconds;
    }

    /**
     * One line, {@code key=value} separated by spaces, e.g. {@code rpc=IssueRtcToken transport=grpc mode=closed
     * concurrency=64 seconds=10 ok=390000 rps=39000 p50_ms=1.520 ... loader_cpu=0.85 errors=0
     * by_status=none}.
     */
    String line() {
        StringBuilder b = new StringBuilder(description)
                .append(" seconds=").append(number(seconds))
                .append(" ok=").append(ok())
                .append(" rps=").append(number(rps()));
        for (double[] p : new double[][] {{50, 50}, {90, 90}, {99, 99}, {99.9, 99.9}}) {
            b.append(" p").append(number(p[0])).append("_ms=").append(millis(percentile(p[1])));
        }
        b.append(" max_ms=").append(millis(ok() == 0 ? 0 : latencyNanos.getMaxValue()))
                .append(" loader_cpu=").append(Double.isNaN(loaderCores) ? "-" : String.format(Locale.ROOT, "%.2f", loaderCores))
                .append(" errors=").append(failed())
                .append(" by_status=");
        if (errors.isEmpty()) {
            b.append("none");
        } else {
            StringBuilder codes = new StringBuilder();
            new TreeMap<>(errors).forEach((code, n) -> codes.append(codes.length() == 0 ? "" : ",")
                    .append(code).append(':').append(n));
            b.append(codes);
        }
        return b.toString();
    }

    private long percentile(double p) {
        return ok() == 0 ? 0 : latencyNanos.getValueAtPercentile(p);
    }

    private static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.3f", nanos / 1e6);
    }

    /** A number without needless decimals: 64, 0.5, 39012.3. */
    static String number(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return String.format(Locale.ROOT, "%.1f", d);
    }
}
