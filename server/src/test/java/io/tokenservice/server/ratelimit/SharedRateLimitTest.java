package io.tokenservice.server.ratelimit;

import static io.tokenservice.server.testing.TestApps.APP_ID;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Duration;
import com.google.rpc.RetryInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.tokenservice.proto.v1.IssueRtcTokenRequest;
import io.tokenservice.proto.v1.RtcRole;
import io.tokenservice.proto.v1.TokenServiceGrpc;
import io.tokenservice.server.auth.ApiKeyRegistry;
import io.tokenservice.server.auth.BearerHeader;
import io.tokenservice.server.auth.TestPki;
import io.tokenservice.server.config.EnvironmentVariables;
import io.tokenservice.server.testing.Launched;
import io.tokenservice.server.testing.LogCapture;
import io.tokenservice.server.testing.Metrics;
import io.tokenservice.server.testing.RedisProcess;
import io.tokenservice.server.testing.TestSecrets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rate limits shared through a real {@code redis-server}: two replicas (two real servers, as {@code java -jar}
 * starts them) draw from one bucket per caller, with the RetryInfo of that bucket; Redis killed mid-test and
 * started again (replica-local limits meanwhile, one log line each way); a wrong password; TLS.
 */
class SharedRateLimitTest {
    private static final String CERT = TestSecrets.register("5a5b5c5d5e5f40414243444546474849");
    private static final String KEY = TestSecrets.register("tsk_shared_limit_key_0123456789abcd");
    private static final String REDIS_PASSWORD = TestSecrets.register("redis-pass-for-tests-7f3a9c");
    /** A token every 1000 s: nothing refills while a test runs, so counts are exact. */
    private static final double PER_SECOND = 0.001;
    private static final int BURST = 5;

    @TempDir
    Path dir;

    private LogCapture logs;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void captureLogs() {
        logs = LogCapture.of(SharedRateLimiter.class.getName());
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        logs.close();
    }

    private <T extends AutoCloseable> T closing(T resource) {
        open.add(resource);
        return resource;
    }

    private Launched replica(Map<String, String> redisEnv) throws Exception {
        Path config = dir.resolve("token-service.yaml");
        Files.writeString(config, """
                apps:
                  - app_id: %s
                    primary_certificate: %s
                security:
                  callers:
                    web:
                      api_keys: ["%s"]
                      apps: ["*"]
                      services: [rtc]
                      channels: ["*"]
                      roles: [publisher, subscriber]
                      rate_limit: {per_second: %s, burst: %d}
                """.formatted(APP_ID, CERT, ApiKeyRegistry.configHash(KEY), PER_SECOND, BURST));
        Map<String, String> env = new HashMap<>(redisEnv);
        env.put(EnvironmentVariables.TOKEN_SERVICE_CONFIG, config.toString());
        // The 50 ms default suits a production network, not a build machine whose load average reaches 15: a call
        // answered late there would count as an outage in tests that are not about one.
        env.putIfAbsent(EnvironmentVariables.TOKEN_SERVICE_REDIS_TIMEOUT_MS, "500");
        return closing(Launched.start(env, dir));
    }

    private static Map<String, String> redisUrl(String url) {
        return Map.of(EnvironmentVariables.TOKEN_SERVICE_REDIS_URL, url);
    }

    /** One IssueRtcToken as caller web: empty if issued, else the refusal. */
    private static Optional<StatusRuntimeException> call(Launched replica) {
        return callWithin(replica, 10);
    }

    private static Optional<StatusRuntimeException> callWithin(Launched replica, int deadlineSeconds) {
        try {
            TokenServiceGrpc.newBlockingStub(replica.channel).withCallCredentials(BearerHeader.bearer(KEY))
                    .withDeadlineAfter(deadlineSeconds, TimeUnit.SECONDS)
                    .issueRtcToken(IssueRtcTokenRequest.newBuilder().setChannel("room").setUid(7)
                            .setRole(RtcRole.RTC_ROLE_PUBLISHER).setTtlSeconds(300).build());
            return Optional.empty();
        } catch (StatusRuntimeException e) {
            return Optional.of(e);
        }
    }

    private static SharedLimitStatus status(Launched replica) {
        return replica.server.security().sharedLimits().orElseThrow();
    }

    /** Start-up waits 5 s for Redis; a loaded machine may need longer for a cold JVM's first TLS handshake. */
    private static Launched connected(Launched replica) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!status(replica).connected() && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(10_000_000);
        }
        assertThat(status(replica).connected()).as("connected to Redis").isTrue();
        return replica;
    }

    private static long retryDelayMillis(StatusRuntimeException refusal) throws Exception {
        com.google.rpc.Status status = StatusProto.fromThrowable(refusal);
        assertThat(status).isNotNull();
        Duration delay = status.getDetails(0).unpack(RetryInfo.class).getRetryDelay();
        return delay.getSeconds() * 1000 + delay.getNanos() / 1_000_000;
    }

    @Test
    void twoReplicasDrawFromOneBucketAndRefuseWithItsRetryDelay() throws Exception {
        RedisProcess redis = closing(RedisProcess.plain(dir));
        Launched a = connected(replica(redisUrl("redis://127.0.0.1:" + redis.port())));
        Launched b = connected(replica(redisUrl("redis://127.0.0.1:" + redis.port())));

        List<StatusRuntimeException> refusals = new ArrayList<>();
        int allowed = 0;
        for (int i = 0; i < 2 * BURST; i++) {
            Optional<StatusRuntimeException> refusal = call(i % 2 == 0 ? a : b);
            if (refusal.isPresent()) {
                refusals.add(refusal.get());
            } else {
                allowed++;
            }
        }

        assertThat(allowed).as("calls allowed across both replicas").isEqualTo(BURST);
        assertThat(refusals).allSatisfy(e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
        // The shared bucket's next token is one interval (1000 s) after the burst, minus the test's own run time.
        long delay = retryDelayMillis(refusals.get(0));
        assertThat(delay).isBetween(990_000L, 1_000_000L);
        assertThat(status(a).sharedCalls() + status(b).sharedCalls()).isEqualTo(2 * BURST);
        assertThat(status(a).fallbackCalls() + status(b).fallbackCalls()).isZero();
        assertThat(status(a).outage()).isFalse();
    }

    @Test
    void redisOutageFallsBackToReplicaLimitsWithOneLogLineEachWay() throws Exception {
        RedisProcess redis = closing(RedisProcess.plain(dir));
        Launched a = connected(replica(redisUrl("redis://127.0.0.1:" + redis.port())));
        assertThat(call(a)).isEmpty();
        assertThat(status(a).sharedCalls()).isEqualTo(1);

        redis.stop();
        // The replica's own bucket is full: callers within their limits keep being served.
        for (int i = 0; i < BURST; i++) {
            assertThat(call(a)).as("call %d during the outage", i).isEmpty();
        }
        Optional<StatusRuntimeException> overLimit = call(a);
        assertThat(overLimit).as("the replica's own limit still applies").isPresent();
        assertThat(overLimit.get().getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(retryDelayMillis(overLimit.get())).isBetween(990_000L, 1_000_000L);
        assertThat(status(a).outage()).isTrue();
        assertThat(status(a).outages()).isEqualTo(1);
        assertThat(status(a).fallbackCalls()).isEqualTo(BURST + 1);
        assertThat(logs.messages(Level.WARNING)).singleElement().asString()
                .startsWith("shared rate limits unavailable: Redis redis://127.0.0.1:" + redis.port());

        redis.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (status(a).outage() && System.nanoTime() - deadline < 0) {
            call(a);
            LockSupport.parkNanos(20_000_000);
        }
        assertThat(status(a).outage()).as("Redis answers again after its restart").isFalse();
        assertThat(logs.messages(Level.INFO)).singleElement().asString()
                .startsWith("shared rate limits restored: Redis redis://127.0.0.1:" + redis.port());
        assertThat(logs.messages(Level.WARNING)).hasSize(1);
        // The restarted Redis is empty: the shared bucket is full again.
        long sharedBefore = status(a).sharedCalls();
        assertThat(call(a)).isEmpty();
        assertThat(status(a).sharedCalls()).isEqualTo(sharedBefore + 1);
    }

    @Test
    void metricsShowRedisUpAndDownOutagesAndWhoDecidedEachCall() throws Exception {
        RedisProcess redis = closing(RedisProcess.plain(dir));
        Map<String, String> env = new HashMap<>(redisUrl("redis://127.0.0.1:" + redis.port()));
        env.put(EnvironmentVariables.ADMIN_PORT, "0");
        Launched a = connected(replica(env));
        int admin = a.server.adminPort().orElseThrow();

        assertThat(call(a)).isEmpty();
        assertThat(call(a)).isEmpty();
        String shared = Metrics.scrape(admin);
        assertThat(Metrics.value(shared, "tokenservice_rate_limit_redis_up")).isEqualTo(1);
        assertThat(Metrics.value(shared, "tokenservice_rate_limit_redis_connected")).isEqualTo(1);
        assertThat(Metrics.value(shared, "tokenservice_rate_limit_redis_outages_total")).isEqualTo(0);
        assertThat(Metrics.value(shared, "tokenservice_rate_limit_calls_total{decided_by=\"redis\"}")).isEqualTo(2);
        assertThat(Metrics.value(shared, "tokenservice_rate_limit_calls_total{decided_by=\"replica\"}")).isEqualTo(0);

        redis.stop();
        assertThat(call(a)).isEmpty();
        String outage = Metrics.scrape(admin);
        assertThat(Metrics.value(outage, "tokenservice_rate_limit_redis_up")).isEqualTo(0);
        assertThat(Metrics.value(outage, "tokenservice_rate_limit_redis_outages_total")).isEqualTo(1);
        assertThat(Metrics.value(outage, "tokenservice_rate_limit_calls_total{decided_by=\"redis\"}")).isEqualTo(2);
        assertThat(Metrics.value(outage, "tokenservice_rate_limit_calls_total{decided_by=\"replica\"}")).isEqualTo(1);

        redis.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (status(a).outage() && System.nanoTime() - deadline < 0) {
            call(a);
            LockSupport.parkNanos(20_000_000);
        }
        String restored = Metrics.scrape(admin);
        assertThat(Metrics.value(restored, "tokenservice_rate_limit_redis_up")).isEqualTo(1);
        assertThat(Metrics.value(restored, "tokenservice_rate_limit_redis_outages_total")).isEqualTo(1);
        assertThat(Metrics.value(restored, "tokenservice_rate_limit_calls_total{decided_by=\"redis\"}"))
                .isEqualTo(status(a).sharedCalls()).isGreaterThan(2);
        assertThat(restored).doesNotContain(KEY).doesNotContain(CERT);
    }

    @Test
    void redisThatDoesNotAnswerInTimeLeavesTheCallToTheReplica() throws Exception {
        RedisProcess redis = closing(RedisProcess.plain(dir));
        Launched a = connected(replica(redisUrl("redis://127.0.0.1:" + redis.port())));
        assertThat(call(a)).isEmpty();

        // Redis holds every command for 3 s; the calls (2 s deadline) are decided by the replica after 500 ms.
        assertThat(redis.cli("CLIENT", "PAUSE", "3000", "ALL")).isEqualTo("OK");
        assertThat(callWithin(a, 2)).isEmpty();
        assertThat(callWithin(a, 2)).isEmpty();
        assertThat(status(a).outage()).isTrue();
        assertThat(status(a).connected()).as("up, only slow").isTrue();
        assertThat(logs.messages(Level.WARNING)).singleElement().asString().contains("did not answer in time");

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (status(a).outage() && System.nanoTime() - deadline < 0) {
            call(a);
            LockSupport.parkNanos(50_000_000);
        }
        assertThat(status(a).outage()).isFalse();
        assertThat(logs.messages(Level.INFO)).singleElement().asString().startsWith("shared rate limits restored");
    }

    @Test
    void wrongPasswordServesWithReplicaLimitsAndSaysSoOnceWithoutThePassword() throws Exception {
        RedisProcess redis = closing(RedisProcess.withPassword(dir, REDIS_PASSWORD));
        String wrong = TestSecrets.register("not-the-redis-password-12345");
        Launched a = replica(redisUrl("redis://:" + wrong + "@127.0.0.1:" + redis.port()));

        assertThat(call(a)).isEmpty();
        assertThat(call(a)).isEmpty();
        assertThat(status(a).outage()).isTrue();
        assertThat(status(a).connected()).isFalse();
        assertThat(status(a).sharedCalls()).isZero();
        assertThat(logs.messages(Level.WARNING)).singleElement().asString()
                .contains("redis://127.0.0.1:" + redis.port()).contains("WRONGPASS")
                .doesNotContain(wrong).doesNotContain(REDIS_PASSWORD);
        assertThat(String.join("\n", logs.lines())).doesNotContain(wrong);
    }

    @Test
    void passwordFromAFile() throws Exception {
        RedisProcess redis = closing(RedisProcess.withPassword(dir, REDIS_PASSWORD));
        Path passwordFile = dir.resolve("redis-password");
        Files.writeString(passwordFile, REDIS_PASSWORD + "\n");
        Launched a = connected(replica(Map.of(
                EnvironmentVariables.TOKEN_SERVICE_REDIS_URL, "redis://127.0.0.1:" + redis.port(),
                EnvironmentVariables.TOKEN_SERVICE_REDIS_PASSWORD_FILE, passwordFile.toString())));

        assertThat(call(a)).isEmpty();
        assertThat(status(a).sharedCalls()).isEqualTo(1);
        assertThat(status(a).outage()).isFalse();
        assertThat(a.server.configuration().toString()).contains("with a password").doesNotContain(REDIS_PASSWORD);
    }

    @Test
    void tlsWithThePrivateCa() throws Exception {
        TestPki pki = TestPki.get();
        RedisProcess redis = closing(RedisProcess.tls(dir, pki.server.certificateFile(), pki.server.keyFile(),
                pki.caFile));
        Launched a = connected(replica(Map.of(
                EnvironmentVariables.TOKEN_SERVICE_REDIS_URL, "rediss://localhost:" + redis.port(),
                EnvironmentVariables.TOKEN_SERVICE_REDIS_CA_FILE, pki.caFile.toString())));

        assertThat(call(a)).isEmpty();
        assertThat(status(a).sharedCalls()).isEqualTo(1);
        assertThat(status(a).outage()).isFalse();
    }
}
