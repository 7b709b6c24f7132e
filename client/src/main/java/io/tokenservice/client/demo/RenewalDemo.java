package io.tokenservice.client.demo;

import io.tokenservice.client.Token;
import io.tokenservice.client.TokenClient;
import io.tokenservice.client.TokenServiceException;
import io.tokenservice.client.renew.Renewal;
import io.tokenservice.client.renew.RenewalFailure;
import io.tokenservice.client.renew.RenewalListener;
import io.tokenservice.client.renew.Scheduler;
import io.tokenservice.client.renew.TokenProvider;
import io.tokenservice.client.renew.TokenRenewer;
import io.tokenservice.client.renew.Trigger;
import io.tokenservice.client.renew.TriggerOutcome;
import io.tokenservice.core.issue.TokenLimits;
import io.tokenservice.proto.v1.IssueRtcTokenRequest;
import io.tokenservice.proto.v1.RtcRole;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What an app does with this service, end to end: fetch a token, join a (simulated) RTC channel with it, and let a
 * {@link TokenRenewer} keep it valid when the engine says "token privilege will expire". Exits after a few
 * renewals.
 *
 * <pre>
 * ./mvnw -q -pl client exec:java -Dexec.args="--ttl 60 --renewals 3"
 * </pre>
 *
 * Server address and API key: {@code --target} / {@code TOKEN_SERVICE_TARGET} (default localhost:50051),
 * {@code --api-key} / {@code TOKEN_SERVICE_API_KEY} (none = send no credentials). Plaintext unless
 * {@code --tls} or {@code --ca <pem>} is given.
 */
public final class RenewalDemo {
    private static final String USAGE = """
            usage: RenewalDemo [--target host:port] [--api-key key] [--tls | --ca ca.pem]
                               [--channel name] [--uid n] [--app-id id] [--ttl seconds] [--renewals n]
              --target    server address (env TOKEN_SERVICE_TARGET, default localhost:50051)
              --api-key   API key (env TOKEN_SERVICE_API_KEY; omit for a server without caller authentication)
              --tls       use TLS with the JVM's trust store (default: plaintext, for a local server)
              --ca        use TLS trusting the CA certificates in this PEM file
              --channel   RTC channel to 'join' (default demo)
              --uid       RTC uid (default 1234)
              --app-id    App ID (default: the server's only app)
              --ttl       token lifetime in seconds (default 60; the engine warns 30 s before expiry)
              --renewals  exit after this many renewals (default 3)
            """;

    private RenewalDemo() {}

    public static void main(String[] args) throws InterruptedException {
        int status = launch(args, System.getenv(), System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /** What {@link #main} does, returning the exit status: 0 after {@code --help}, 2 for bad arguments. */
    static int launch(String[] args, Map<String, String> env, PrintStream out, PrintStream err)
            throws InterruptedException {
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            out.print(USAGE);
            out.flush();
            return 0;
        }
        try {
            return run(Options.parse(args, env), out);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
    }

    /** Runs the demo; returns the process exit status. */
    static int run(Options options, PrintStream out) throws InterruptedException {
        Clock clock = Clock.systemUTC();
        Instant startedAt = clock.instant();
        Log log = new Log(out, clock, startedAt);
        log.line("token service at " + options.target + (options.tls ? " (TLS)" : " (plaintext)")
                + (options.apiKey == null ? ", no API key" : ", with API key"));

        TokenClient.Builder builder = TokenClient.builder().target(options.target).clock(clock);
        if (options.caFile != null) {
            builder.trustCertificates(options.caFile);
        } else if (!options.tls) {
            builder.plaintext();
        }
        if (options.apiKey != null) {
            builder.apiKey(options.apiKey);
        }
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "demo-timer");
            t.setDaemon(true);
            return t;
        });
        try (TokenClient client = builder.build()) {
            IssueRtcTokenRequest request = IssueRtcTokenRequest.newBuilder()
                    .setAppId(options.appId)
                    .setChannel(options.channel)
                    .setUid((int) options.uid)
                    .setRole(RtcRole.RTC_ROLE_PUBLISHER)
                    .setTtlSeconds(options.ttlSeconds)
                    .build();

            // 1. Fetch a token before joining.
            Token token;
            try {
                token = client.issueRtcToken(request);
            } catch (TokenServiceException e) {
                log.line(e.getMessage());
                return 1;
            }
            log.line("issued token " + token.sha256Prefix() + " for app " + token.appId() + ": lifetime "
                    + token.lifetime().toSeconds() + " s, expires at " + token.expiresAt()
                    + " (server clock; offset to local clock " + token.clockOffset().toMillis() + " ms)");

            // 2. Join the (simulated) channel with it.
            SimulatedRtcEngine engine = new SimulatedRtcEngine(timer, clock, Duration.ofSeconds(30), log::line);
            engine.joinChannel(token.value(), options.channel, options.uid);

            // 3. Let the renewer keep it valid.
            CountDownLatch done = new CountDownLatch(options.renewals);
            AtomicReference<String> gaveUp = new AtomicReference<>();
            AtomicInteger renewals = new AtomicInteger();
            RenewalListener listener = new RenewalListener() {
                @Override
                public void onTrigger(Trigger trigger, TriggerOutcome outcome) {
                    log.line("renewer: " + trigger + " -> " + outcome);
                }

                @Override
                public void onRenewed(Renewal r) {
                    log.line(String.format(Locale.ROOT,
                            "renewer: renewal #%d (%s, %s, %d attempt(s)): token %s -> %s, new expiry %s (in %d s)",
                            renewals.incrementAndGet(), r.trigger(), r.mode(), r.attempts(),
                            r.previous().sha256Prefix(), r.current().sha256Prefix(), r.current().expiresAt(),
                            Duration.between(clock.instant(), r.current().localExpiresAt()).toSeconds()));
                    done.countDown();
                }

                @Override
                public void onFailure(RenewalFailure f) {
                    log.line("renewer: attempt " + f.attempt() + " failed: " + f.error().getMessage()
                            + f.retryIn().map(d -> "; retrying in " + d.toMillis() + " ms").orElse("; giving up"));
                    if (f.gaveUp()) {
                        gaveUp.set(f.error().getMessage());
                        while (done.getCount() > 0) {
                            done.countDown();
                        }
                    }
                }
            };
            try (TokenRenewer renewer = TokenRenewer.builder(engine, TokenProvider.rtc(client, request))
                    .clock(clock)
                    .scheduler(Scheduler.of(timer))
                    .listener(listener)
                    .build()) {
                renewer.start(token);
                long budgetSeconds = (long) options.renewals * options.ttlSeconds + 60;
                if (!done.await(budgetSeconds, TimeUnit.SECONDS)) {
                    log.line("timed out after " + budgetSeconds + " s with " + renewals.get() + " renewal(s)");
                    return 1;
                }
            } finally {
                engine.leaveChannel();
            }
            if (gaveUp.get() != null) {
                log.line("stopped: " + gaveUp.get());
                return 1;
            }
            log.line("done: " + renewals.get() + " renewals; renewer closed, channel left");
            return 0;
        } finally {
            timer.shutdownNow();
        }
    }

    /** Timestamped output: seconds since start and local wall-clock time. */
    private record Log(PrintStream out, Clock clock, Instant start) {
        void line(String message) {
            double elapsed = Duration.between(start, clock.instant()).toMillis() / 1000.0;
            synchronized (out) {
                out.printf(Locale.ROOT, "[+%6.1fs] %s%n", elapsed, message);
                out.flush();
            }
        }
    }

    /** Command-line options, with environment fallbacks. */
    record Options(String target, String apiKey, boolean tls, Path caFile, String channel, long uid, String appId,
            int ttlSeconds, int renewals) {
        static Options parse(String[] args, Map<String, String> env) {
            String target = env.getOrDefault("TOKEN_SERVICE_TARGET", "localhost:50051");
            String apiKey = env.get("TOKEN_SERVICE_API_KEY");
            boolean tls = false;
            Path ca = null;
            String channel = "demo";
            long uid = 1234;
            String appId = "";
            int ttl = 60;
            int renewals = 3;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--target" -> target = value(args, ++i, a);
                    case "--api-key" -> apiKey = value(args, ++i, a);
                    case "--tls" -> tls = true;
                    case "--ca" -> {
                        ca = Path.of(value(args, ++i, a));
                        tls = true;
                    }
                    case "--channel" -> channel = value(args, ++i, a);
                    case "--uid" -> uid = number(value(args, ++i, a), a, 0, 4294967295L);
                    case "--app-id" -> appId = value(args, ++i, a);
                    case "--ttl" -> ttl = (int) number(value(args, ++i, a), a, 31, TokenLimits.AGORA_MAX_TTL_SECONDS);
                    case "--renewals" -> renewals = (int) number(value(args, ++i, a), a, 1, 1000);
                    default -> throw new IllegalArgumentException("unknown argument: " + a);
                }
            }
            if (apiKey != null && apiKey.isBlank()) {
                apiKey = null;
            }
            return new Options(target, apiKey, tls, ca, channel, uid, appId, ttl, renewals);
        }

        private static String value(String[] args, int i, String name) {
            if (i >= args.length) {
                throw new IllegalArgumentException(name + " needs a value");
            }
            return args[i];
        }

        private static long number(String s, String name, long min, long max) {
            try {
                long v = Long.parseLong(s);
                if (v < min || v > max) {
                    throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ": " + s);
                }
                return v;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " is not a number: " + s);
            }
        }

        @Override
        public String toString() {
            return "Options[target=" + target + ", apiKey=" + (apiKey == null ? "none" : "***") + ", tls=" + tls + "]";
        }
    }
}
