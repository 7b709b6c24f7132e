package io.tokenservice.benchmarks.load;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What one load run does, parsed from the command line. A run is closed loop ({@code --concurrency N}
 * calls always outstanding) unless {@code --rate R} asks for an open loop (R calls per second on a fixed
 * schedule, whatever the server does).
 *
 * @param target host:port of the token server (gRPC) or the gateway (gRPC-Web)
 * @param rpc which call to repeat
 * @param transport native gRPC over HTTP/2, or gRPC-Web over HTTP/1.1 (through the gateway)
 * @param concurrency closed loop: calls outstanding at all times
 * @param rate open loop: calls per second; empty for a closed loop
 * @param maxOutstanding open loop: the most calls in flight; beyond it the sender waits, and the wait counts
 *     in the latency of the calls it delays
 * @param connections how many connections (gRPC channels / HTTP/1.1 connections at most) the calls share
 * @param warmup calls sent before the measurement are not counted
 * @param duration how long the measurement lasts
 * @param deadline each call's deadline
 * @param apiKey the caller's API key, sent as {@code authorization: Bearer}; empty sends none
 * @param tls whether to speak TLS
 * @param tlsCa PEM CAs to trust (the server's certificate); empty trusts the JDK's
 * @param channel the RTC channel asked for
 * @param uid the RTC uid asked for
 * @param ttlSeconds the lifetime asked for
 */
public record LoadOptions(
        String target,
        Rpc rpc,
        Transport transport,
        int concurrency,
        OptionalDouble rate,
        int maxOutstanding,
        int connections,
        Duration warmup,
        Duration duration,
        Duration deadline,
        Optional<String> apiKey,
        boolean tls,
        Optional<Path> tlsCa,
        String channel,
        long uid,
        int ttlSeconds) {

    public enum Rpc {
        ISSUE_RTC("issue-rtc", "IssueRtcToken"),
        RENEW("renew", "RenewToken");

        final String option;
        final String methodName;

        Rpc(String option, String methodName) {
            this.option = option;
            this.methodName = methodName;
        }
    }

    public enum Transport {
        GRPC("grpc"),
        GRPC_WEB("grpc-web");

        final String option;

        Transport(String option) {
            this.option = option;
        }
    }

    static final String USAGE = String.join("\n",
            "usage: java -cp benchmarks.jar io.tokenservice.benchmarks.load.LoadGenerator [options]",
            "  --target HOST:PORT       token server (grpc) or gateway (grpc-web) (default localhost:50051)",
            "  --rpc issue-rtc|renew    the call to repeat (default issue-rtc); renew renews one token issued first",
            "  --transport grpc|grpc-web  native gRPC, or gRPC-Web over HTTP/1.1 through the gateway (default grpc)",
            "  --concurrency N          closed loop: N calls outstanding at all times (default 64)",
            "  --rate R                 open loop instead: R calls per second on a fixed schedule; latency counts",
            "                           from each call's scheduled send time (coordinated omission corrected)",
            "  --max-outstanding N      open loop: at most N calls in flight (default 10000)",
            "  --connections N          connections the calls share (default 1)",
            "  --warmup SECONDS         load before the measurement, not counted (default 5); an open loop warms up",
            "                           as a closed loop, then runs its schedule for a quarter of it (at most 2 s),",
            "                           and measures once those calls have finished",
            "  --duration SECONDS       measurement (default 10)",
            "  --deadline SECONDS       each call's deadline (default 10)",
            "  --api-key-env VAR        send authorization: Bearer <the value of VAR> (default TOKEN_SERVICE_API_KEY;",
            "                           nothing is sent if it is unset)",
            "  --api-key-file FILE      or: the key is the first line of FILE",
            "  --tls                    speak TLS, trusting the JDK's CAs",
            "  --tls-ca FILE            speak TLS, trusting only the PEM CAs of FILE",
            "  --channel NAME           RTC channel (default demo)",
            "  --uid N                  RTC uid (default 1234)",
            "  --ttl SECONDS            token lifetime asked for (default 600)",
            "Prints one line: rps, p50/p90/p99/p99.9/max in ms, errors by status code.");

    /**
     * Parses the command line. The API key is never an argument value (it would show in {@code ps}): it
     * comes from an environment variable or a file.
     *
     * @param env the process environment, for {@code --api-key-env}
     * @throws IllegalArgumentException naming the option and what it expects
     */
    public static LoadOptions parse(String[] args, Map<String, String> env) {
        String target = "localhost:50051";
        Rpc rpc = Rpc.ISSUE_RTC;
        Transport transport = Transport.GRPC;
        int concurrency = 64;
        OptionalDouble rate = OptionalDouble.empty();
        int maxOutstanding = 10_000;
        int connections = 1;
        Duration warmup = Duration.ofSeconds(5);
        Duration duration = Duration.ofSeconds(10);
        Duration deadline = Duration.ofSeconds(10);
        String keyEnv = "TOKEN_SERVICE_API_KEY";
        Optional<Path> keyFile = Optional.empty();
        boolean tls = false;
        Optional<Path> tlsCa = Optional.empty();
        String channel = "demo";
        long uid = 1234;
        int ttl = 600;
        boolean concurrencyGiven = false;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            switch (option) {
                case "--tls" -> tls = true;
                case "--help", "-h" -> throw new IllegalArgumentException(USAGE);
                default -> {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException(option.startsWith("--")
                                ? option + " needs a value" : "unexpected argument '" + option + "'");
                    }
                    String value = args[++i];
                    switch (option) {
                        case "--target" -> target = hostPort(value);
                        case "--rpc" -> rpc = choice(option, value, Rpc.values(), r -> r.option);
                        case "--transport" -> transport = choice(option, value, Transport.values(), t -> t.option);
                        case "--concurrency" -> {
                            concurrency = (int) whole(option, value, 1, 100_000);
                            concurrencyGiven = true;
                        }
                        case "--rate" -> rate = OptionalDouble.of(positive(option, value, 10_000_000));
                        case "--max-outstanding" -> maxOutstanding = (int) whole(option, value, 1, 1_000_000);
                        case "--connections" -> connections = (int) whole(option, value, 1, 1_000);
                        case "--warmup" -> warmup = seconds(option, value, true);
                        case "--duration" -> duration = seconds(option, value, false);
                        case "--deadline" -> deadline = seconds(option, value, false);
                        case "--api-key-env" -> keyEnv = value;
                        case "--api-key-file" -> keyFile = Optional.of(Path.of(value));
                        case "--tls-ca" -> {
                            tlsCa = Optional.of(Path.of(value));
                            tls = true;
                        }
                        case "--channel" -> channel = value;
                        case "--uid" -> uid = whole(option, value, 0, 4_294_967_295L);
                        case "--ttl" -> ttl = (int) whole(option, value, 1, 86_400);
                        default -> throw new IllegalArgumentException("unknown option '" + option + "'");
                    }
                }
            }
        }
        if (rate.isPresent() && concurrencyGiven) {
            throw new IllegalArgumentException("--rate (open loop) and --concurrency (closed loop) exclude each other");
        }
        Optional<String> apiKey = keyFile.isPresent() ? Optional.of(firstLine(keyFile.get()))
                : Optional.ofNullable(env.get(keyEnv)).filter(k -> !k.isBlank());
        return new LoadOptions(target, rpc, transport, concurrency, rate, maxOutstanding, connections, warmup,
                duration, deadline, apiKey, tls, tlsCa, channel, uid, ttl);
    }

    public boolean openLoop() {
        return rate.isPresent();
    }

    /** How the run is described in the result line. */
    String mode() {
        return openLoop() ? "open rate=" + LoadResult.number(rate.getAsDouble())
                : "closed concurrency=" + concurrency;
    }

    private static String hostPort(String value) {
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new IllegalArgumentException("--target expects HOST:PORT, got '" + value + "'");
        }
        whole("--target port", value.substring(colon + 1), 1, 65_535);
        return value;
    }

    private static <E> E choice(String option, String value, E[] values, java.util.function.Function<E, String> name) {
        for (E e : values) {
            if (name.apply(e).equals(value)) {
                return e;
            }
        }
        StringBuilder expected = new StringBuilder();
        for (E e : values) {
            expected.append(expected.length() == 0 ? "" : ", ").append(name.apply(e));
        }
        throw new IllegalArgumentException(option + " expects one of " + expected + ", got '" + value + "'");
    }

    private static long whole(String option, String value, long min, long max) {
        long n;
        try {
            n = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " expects a whole number, got '" + value + "'");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(option + " must be from " + min + " to " + max + ", got " + n);
        }
        return n;
    }

    static double positive(String option, String value, double max) {
        double d;
        try {
            d = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " expects a number, got '" + value + "'");
        }
        if (!(d > 0) || d > max) {
            throw new IllegalArgumentException(option + " must be above 0 and at most " + (long) max + ", got " + value);
        }
        return d;
    }

    private static Duration seconds(String option, String value, boolean zeroAllowed) {
        double s;
        try {
            s = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " expects seconds, e.g. 10 or 0.5, got '" + value + "'");
        }
        if (Double.isNaN(s) || s < 0 || (s == 0 && !zeroAllowed) || s > 86_400) {
            throw new IllegalArgumentException(option + " must be " + (zeroAllowed ? "from 0" : "above 0")
                    + " to 86400 seconds, got " + value);
        }
        return Duration.ofNanos(Math.round(s * 1e9));
    }

    private static String firstLine(Path file) {
        try {
            String key = java.nio.file.Files.readAllLines(file).stream().findFirst().orElse("").strip();
            if (key.isEmpty()) {
                throw new IllegalArgumentException("--api-key-file " + file + " is empty");
            }
            return key;
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("--api-key-file " + file + " cannot be read: " + e.getMessage());
        }
    }
}
