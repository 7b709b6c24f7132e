package io.tokenservice.benchmarks;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.tokenservice.core.issue.RtcRole;
import io.tokenservice.proto.v1.IssueRtcTokenRequest;
import io.tokenservice.proto.v1.IssuedToken;
import io.tokenservice.proto.v1.TokenServiceGrpc;
import io.tokenservice.server.TokenServer;
import io.tokenservice.server.access.ServiceKind;
import io.tokenservice.server.audit.JsonAuditSink;
import io.tokenservice.server.auth.ApiKeyRegistry;
import io.tokenservice.server.auth.AuthenticationInterceptor;
import io.tokenservice.server.auth.ClientCertificateMapping;
import io.tokenservice.server.config.DenyListSettings;
import io.tokenservice.server.config.SecuritySettings;
import io.tokenservice.server.config.ServerConfig;
import io.tokenservice.server.policy.CallerPolicy;
import io.tokenservice.server.policy.GlobList;
import io.tokenservice.server.ratelimit.RateLimit;
import io.tokenservice.server.security.CallerSecurity;
import java.io.IOException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What a refused IssueRtcToken costs the server next to an issued one (average time, single thread), all
 * through a real {@link TokenServer} secured the way {@code SecuredServer} wires it, with the JSON audit
 * sink writing into a silent logger:
 * <ul>
 *   <li>{@code issued}: a caller whose policy allows the request gets a token;</li>
 *   <li>{@code refusedUnauthenticated}: no credentials (UNAUTHENTICATED);</li>
 *   <li>{@code refusedRateLimited}: a caller whose bucket is empty (RESOURCE_EXHAUSTED);</li>
 *   <li>{@code refusedByPolicy}: a caller whose policy does not allow RTC at all (PERMISSION_DENIED);</li>
 *   <li>{@code issuedOverNettyBatch}: {@value #BATCH} issued calls at once over one plaintext loopback
 *       connection (Netty on both sides), what real clients' calls cost end to end; the score is for all of
 *       them. Calls run concurrently so that the machine is busy with them, not waiting for threads to wake
 *       up (one call at a time measures mostly scheduling latency on a shared machine).</li>
 * </ul>
 * Every call but the Netty one runs over an in-process channel with direct executors on both sides, so the
 * whole call runs on the benchmark thread. Calls go through {@link ClientCall} with a listener that keeps
 * the status, so that no client-side exception (and its stack trace) is part of a refusal's cost. Each
 * request is the same valid request, so the refusals show how early the server says no.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar RefusalBenchmarks -f 1 -wi 5 -w 1s -i 10 -r 1s
 * -bm avgt -tu ns}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RefusalBenchmarks {
    static final String ALLOWED_KEY = "tsk_benchmark_key_allowed_0000000000000000000";
    static final String EMPTY_BUCKET_KEY = "tsk_benchmark_key_limited_0000000000000000000";
    static final String NO_RTC_KEY = "tsk_benchmark_key_rtm_only_000000000000000000";
    /** Calls per operation of {@code issuedOverNettyBatch}. */
    static final int BATCH = 32;
    /** One token, then one more every 11.6 days: empty after the first call. */
    static final RateLimit EMPTY_AFTER_ONE = new RateLimit(0.000_001, 1);

    static SecuritySettings securitySettings() {
        ApiKeyRegistry keys = ApiKeyRegistry.builder()
                .addKey("allowed", ALLOWED_KEY)
                .addKey("limited", EMPTY_BUCKET_KEY)
                .addKey("rtm-only", NO_RTC_KEY)
                .build();
        CallerPolicy rtmOnly = new CallerPolicy(GlobList.any(), EnumSet.of(ServiceKind.RTM), GlobList.any(),
                GlobList.any(), EnumSet.allOf(RtcRole.class), CallerPolicy.DEFAULT_MAX_TTL_SECONDS, false, false,
                true, true);
        RateLimit generous = new RateLimit(RateLimit.MAX_PER_SECOND, RateLimit.MAX_BURST);
        return new SecuritySettings(keys, ClientCertificateMapping.empty(),
                Map.of("allowed", CallerSecurityBenchmarks.policy(), "limited", CallerSecurityBenchmarks.policy(),
                        "rtm-only", rtmOnly),
                Map.of("allowed", generous, "limited", EMPTY_AFTER_ONE, "rtm-only", generous),
                generous, DenyListSettings.NONE);
    }

    /** Runs one unary IssueRtcToken and returns how it ended; the server answers before this returns. */
    static Status call(ManagedChannel channel, String apiKey, IssueRtcTokenRequest request) {
        ClientCall<IssueRtcTokenRequest, IssuedToken> call =
                channel.newCall(TokenServiceGrpc.getIssueRtcTokenMethod(), CallOptions.DEFAULT);
        Outcome outcome = new Outcome();
        Metadata headers = new Metadata();
        if (apiKey != null) {
            headers.put(AuthenticationInterceptor.AUTHORIZATION, "Bearer " + apiKey);
        }
        call.start(outcome, headers);
        call.request(1);
        call.sendMessage(request);
        call.halfClose();
        return outcome.await();
    }

    /** Keeps the status (and checks a token came with OK); no exception is ever built. */
    static final class Outcome extends ClientCall.Listener<IssuedToken> {
        private final CountDownLatch done = new CountDownLatch(1);
        private volatile Status status;
        private volatile boolean token;

        @Override
        public void onMessage(IssuedToken message) {
            token = message.getToken().startsWith("007");
        }

        @Override
        public void onClose(Status status, Metadata trailers) {
            this.status = status;
            done.countDown();
        }

        Status await() {
            try {
                if (!done.await(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the call did not end within 10 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            if (status.isOk() && !token) {
                throw new IllegalStateException("OK without a token");
            }
            return status;
        }
    }

    static void expect(Status.Code code, Status actual) {
        if (actual.getCode() != code) {
            throw new IllegalStateException("benchmark set-up: expected " + code + ", got " + actual);
        }
    }

    /** A secured server (in-process or Netty), wired as SecuredServer wires it. */
    abstract static class SecuredServer {
        TokenServer server;
        ManagedChannel channel;
        final IssueRtcTokenRequest request = CallerSecurityBenchmarks.rtcRequest();

        ServerConfig config() throws IOException {
            JsonAuditSink audit = new JsonAuditSink(CallerSecurityBenchmarks.silentLogger());
            return new CallerSecurity(securitySettings(), audit).wire(ServerConfig.builder()
                    .app(CallerSecurityBenchmarks.APP_ID, CallerSecurityBenchmarks.APP_CERTIFICATE)
                    .shutdownGrace(Duration.ofSeconds(1)))
                    .build();
        }

        void checkOutcomes() {
            expect(Status.Code.OK, call(channel, ALLOWED_KEY, request));
            expect(Status.Code.UNAUTHENTICATED, call(channel, null, request));
            expect(Status.Code.OK, call(channel, EMPTY_BUCKET_KEY, request));
            expect(Status.Code.RESOURCE_EXHAUSTED, call(channel, EMPTY_BUCKET_KEY, request));
            expect(Status.Code.PERMISSION_DENIED, call(channel, NO_RTC_KEY, request));
        }

        @TearDown
        public void stop() throws InterruptedException {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.close();
        }
    }

    @State(Scope.Thread)
    public static class InProcess extends SecuredServer {
        @Setup
        public void setUp() throws IOException {
            String name = "refusal-benchmark-" + UUID.randomUUID();
            server = TokenServer.startInProcess(name, config());
            channel = InProcessChannelBuilder.forName(name).directExecutor().build();
            checkOutcomes();
        }
    }

    @State(Scope.Thread)
    public static class OverNetty extends SecuredServer {
        @Setup
        public void setUp() throws IOException {
            server = TokenServer.start(config().toBuilder().grpcPort(0).build());
            channel = Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(), InsecureChannelCredentials.create())
                    .build();
            checkOutcomes();
        }
    }

    @Benchmark
    public Status issued(InProcess s) {
        return call(s.channel, ALLOWED_KEY, s.request);
    }

    @Benchmark
    public Status refusedUnauthenticated(InProcess s) {
        return call(s.channel, null, s.request);
    }

    @Benchmark
    public Status refusedRateLimited(InProcess s) {
        return call(s.channel, EMPTY_BUCKET_KEY, s.request);
    }

    @Benchmark
    public Status refusedByPolicy(InProcess s) {
        return call(s.channel, NO_RTC_KEY, s.request);
    }

    @Benchmark
    public int issuedOverNettyBatch(OverNetty s) {
        CountDownLatch done = new CountDownLatch(BATCH);
        AtomicInteger ok = new AtomicInteger();
        for (int i = 0; i < BATCH; i++) {
            ClientCall<IssueRtcTokenRequest, IssuedToken> call =
                    s.channel.newCall(TokenServiceGrpc.getIssueRtcTokenMethod(), CallOptions.DEFAULT);
            Metadata headers = new Metadata();
            headers.put(AuthenticationInterceptor.AUTHORIZATION, "Bearer " + ALLOWED_KEY);
            call.start(new ClientCall.Listener<>() {
                @Override
                public void onClose(Status status, Metadata trailers) {
                    if (status.isOk()) {
                        ok.incrementAndGet();
                    }
                    done.countDown();
                }
            }, headers);
            call.request(1);
            call.sendMessage(s.request);
            call.halfClose();
        }
        try {
            if (!done.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("a batch did not end within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (ok.get() != BATCH) {
            throw new IllegalStateException((BATCH - ok.get()) + " calls of the batch failed");
        }
        return ok.get();
    }
}
