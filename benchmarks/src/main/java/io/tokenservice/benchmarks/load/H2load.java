package io.tokenservice.benchmarks.load;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * nghttp2's {@code h2load} (C) as the loader of native gRPC calls. It needs no warm-up of its own: the Java
 * generator, a JVM on the loader's one core, measured 1,200-2,300 calls/s after a 5 s warm-up where, after 30 s,
 * it measured 9,100-14,200 and h2load 9,000-12,600 against the same server in the same minutes; and it costs its
 * core about a third of the generator's CPU per call. h2load sends one fixed body and sees only HTTP statuses, so:
 * {@code request FILE [LoadGenerator options]} writes the gRPC-framed request a run would send (RenewToken's
 * token is issued first, by the server named with {@code --target}), and {@code summarize} turns h2load's
 * per-request log ({@code --log-file}: start in µs since the epoch, HTTP status, µs to the end of the response)
 * into the generator's result line. The calls' gRPC statuses come from the server's own metrics; run-load
 * passes them with {@code --grpc-errors}. A call the server refused is still in the latency histogram (h2load
 * cannot tell it from an answer); the line names every such error, and a run with errors is not a figure.
 *
 * <p>Closed loops only: h2load's {@code --rps} sends its calls in bursts (about 50 every 10 ms at 5,000/s), not on
 * a schedule, so the open loop stays with the generator.
 */
public final class H2load {
    static final String USAGE = String.join("\n",
            "usage: java -cp benchmarks.jar io.tokenservice.benchmarks.load.H2load request FILE [LoadGenerator options]",
            "       java -cp benchmarks.jar io.tokenservice.benchmarks.load.H2load summarize --log FILE --seconds S",
            "            --description TEXT [--loader-cpu CORES] [--grpc-errors CODE:N,...]");

    private H2load() {}

    public static void main(String[] args) throws IOException {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) throws IOException {
        try {
            if (args.length >= 2 && args[0].equals("request")) {
                writeRequest(Path.of(args[1]), LoadOptions.parse(Arrays.copyOfRange(args, 2, args.length), env));
                return 0;
            }
            if (args.length >= 1 && args[0].equals("summarize")) {
                out.println(summarize(Arrays.copyOfRange(args, 1, args.length)).line());
                return 0;
            }
            throw new IllegalArgumentException(USAGE);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
        }
    }

    private static void writeRequest(Path file, LoadOptions options) throws IOException {
        try (GrpcRpcClient client = new GrpcRpcClient(options)) {
            Files.write(file, GrpcWebRpcClient.frame(client.request()));
        }
    }

    static LoadResult summarize(String[] args) throws IOException {
        Path log = null;
        double seconds = 0;
        String description = null;
        double loaderCores = Double.NaN;
        Map<String, Long> errors = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            String value = args[i + 1];
            switch (args[i]) {
                case "--log" -> log = Path.of(value);
                case "--seconds" -> seconds = LoadOptions.positive(args[i], value, 86_400);
                case "--description" -> description = value;
                case "--loader-cpu" -> loaderCores = Double.parseDouble(value);
                case "--grpc-errors" -> grpcErrors(value, errors);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "\n" + USAGE);
            }
        }
        if (args.length % 2 != 0 || log == null || seconds == 0 || description == null) {
            throw new IllegalArgumentException(USAGE);
        }
        Histogram latencyNanos = new Histogram(3);
        for (String line : Files.readAllLines(log)) {
            String[] columns = line.split("\t");
            if (columns.length < 3) {
                continue;
            }
            String status = columns[1].trim();
            long micros = Long.parseLong(columns[2].trim());
            if (status.equals("0")) {
                // Now and then h2load logs a call without a status (seen: the run's first) that its own summary
                // counts as succeeded: neither an answer that can be timed nor a failure.
                continue;
            }
            if (status.equals("200")) {
                latencyNanos.recordValue(micros * 1000);
            } else {
                errors.merge("HTTP_" + status, 1L, Long::sum);
            }
        }
        return new LoadResult(description, seconds, latencyNanos, errors, loaderCores);
    }

    /** {@code CODE:N,...} as run-load reads it from the server's metrics; empty means none. */
    private static void grpcErrors(String value, Map<String, Long> errors) {
        for (String entry : value.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            int colon = entry.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("--grpc-errors expects CODE:N,..., got '" + value + "'");
            }
            long n = Long.parseLong(entry.substring(colon + 1));
            if (n > 0) {
                errors.merge(entry.substring(0, colon), n, Long::sum);
            }
        }
    }
}
