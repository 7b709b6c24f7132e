package io.tokenservice.benchmarks;

import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.tokenservice.proto.v1.IssuedToken;
import io.tokenservice.server.audit.JsonAuditSink;
import io.tokenservice.server.auth.AuthenticationInterceptor;
import io.tokenservice.server.auth.RemoteJwksPool;
import io.tokenservice.server.config.RedisSettings;
import io.tokenservice.server.ratelimit.RateLimit;
import io.tokenservice.server.ratelimit.RateLimiter;
import io.tokenservice.server.ratelimit.SharedLimitStatus;
import io.tokenservice.server.ratelimit.SharedRateLimiter;
import io.tokenservice.server.security.CallerSecurity;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What sharing the rate limits through Redis costs per call (average time, single thread, one call in flight),
 * against a real {@code redis-server} this benchmark starts on a loopback port (Debian's, installed by
 * {@code scripts/install-test-tools}):
 * <ol>
 *   <li>{@code localBucket} / {@code redisBucket}: taking one token from the replica's own bucket
 *       ({@link RateLimiter}) and from the shared one ({@link SharedRateLimiter}: one EVALSHA round trip,
 *       waited for here);</li>
 *   <li>{@code roundTripPerReplicaLimits} / {@code roundTripSharedLimits}: one IssueRtcToken over an in-process
 *       channel through a real server wired as {@code SecuredServer} does, without and with Redis.</li>
 * </ol>
 * The limit never refuses ({@value RateLimit#MAX_PER_SECOND}/s, burst {@value RateLimit#MAX_BURST}). Set-up
 * checks that the shared benchmarks were decided by Redis, not by the fallback.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar SharedRateLimitBenchmarks -f 1 -wi 5 -w 1s -i 10
 * -r 1s -bm avgt -tu us}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SharedRateLimitBenchmarks {
    static final RateLimit GENEROUS = new RateLimit(RateLimit.MAX_PER_SECOND, RateLimit.MAX_BURST);

    /** A redis-server process on a free loopback port, for the whole run. */
    @State(Scope.Benchmark)
    public static class Redis {
        Process process;
        Path dir;
        int port;

        @Setup
        public void start() throws IOException {
            dir = Files.createTempDirectory("benchmark-redis");
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = socket.getLocalPort();
            }
            process = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--daemonize", "no")
                    .directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis.log").toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!accepts()) {
                if (!process.isAlive() || System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("benchmark set-up: redis-server did not start; see " + dir);
                }
                LockSupport.parkNanos(5_000_000);
            }
        }

        private boolean accepts() {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return true;
            } catch (IOException e) {
                return false;
            }
        }

        RedisSettings settings() {
            return new RedisSettings(false, "127.0.0.1", port, 0, Optional.empty(), Optional.empty(), Optional.empty(),
                    RedisSettings.DEFAULT_TIMEOUT);
        }

        @TearDown
        public void stop() throws InterruptedException {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    static void requireShared(SharedLimitStatus status) {
        if (status.outage() || status.sharedCalls() == 0 || status.fallbackCalls() != 0) {
            throw new IllegalStateException("benchmark set-up: Redis did not decide (" + status + ")");
        }
    }

    @State(Scope.Thread)
    public static class Buckets {
        RateLimiter local;
        SharedRateLimiter shared;

        @Setup
        public void setUp(Redis redis) {
            local = new RateLimiter(System::nanoTime);
            RedisSettings settings = redis.settings();
            shared = SharedRateLimiter.start(settings.redisUri(), Optional.empty(), settings.timeout(),
                    new RateLimiter(System::nanoTime), System::nanoTime);
            shared.tryAcquire(CallerSecurityBenchmarks.CALLER, GENEROUS).join();
            requireShared(shared.status());
        }

        @TearDown
        public void tearDown() {
            requireShared(shared.status());
            shared.close();
        }
    }

    @Benchmark
    public long localBucket(Buckets b) {
        return b.local.tryAcquire(CallerSecurityBenchmarks.CALLER, GENEROUS);
    }

    @Benchmark
    public long redisBucket(Buckets b) {
        return b.shared.tryAcquire(CallerSecurityBenchmarks.CALLER, GENEROUS).join();
    }

    /** A secured in-process server, with or without Redis, and a stub that sends the benchmark key. */
    abstract static class Secured extends CallerSecurityBenchmarks.ServerState {
        CallerSecurity security;

        void start(Optional<RedisSettings> redis) throws IOException {
            security = new CallerSecurity(CallerSecurityBenchmarks.securitySettings(2, GENEROUS,
                    CallerSecurityBenchmarks.denyListFile()), redis,
                    new JsonAuditSink(CallerSecurityBenchmarks.silentLogger()), Clock.systemUTC(), System::nanoTime,
                    new RemoteJwksPool());
            start(security.wire(baseConfig()).build());
            Metadata headers = new Metadata();
            headers.put(AuthenticationInterceptor.AUTHORIZATION, "Bearer " + CallerSecurityBenchmarks.KEY);
            stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
            checkIssues(stub);
            security.sharedLimits().ifPresent(SharedRateLimitBenchmarks::requireShared);
        }

        @TearDown
        public void closeSecurity() {
            security.sharedLimits().ifPresent(SharedRateLimitBenchmarks::requireShared);
            security.close();
        }
    }

    @State(Scope.Thread)
    public static class PerReplica extends Secured {
        @Setup
        public void setUp() throws IOException {
            start(Optional.empty());
        }
    }

    @State(Scope.Thread)
    public static class Shared extends Secured {
        @Setup
        public void setUp(Redis redis) throws IOException {
            start(Optional.of(redis.settings()));
        }
    }

    @Benchmark
    public IssuedToken roundTripPerReplicaLimits(PerReplica s) {
        return s.stub.issueRtcToken(s.request);
    }

    @Benchmark
    public IssuedToken roundTripSharedLimits(Shared s) {
        return s.stub.issueRtcToken(s.request);
    }
}
