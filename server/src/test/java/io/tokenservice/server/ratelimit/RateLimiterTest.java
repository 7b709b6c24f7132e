package io.tokenservice.server.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.rpc.RetryInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
    private static final String WEB = "web";
    private static final String MOBILE = "mobile";
    private static final RateLimit WEB_LIMIT = new RateLimit(2, 3);
    private static final RateLimit MOBILE_LIMIT = new RateLimit(1, 1);
    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong now = new AtomicLong(123_456_789L);
    private final RateLimiter limiter = new RateLimiter(now::get);

    private void call(String caller) {
        acquire(limiter, caller, caller.equals(WEB) ? WEB_LIMIT : MOBILE_LIMIT);
    }

    private StatusRuntimeException refusal(String caller) {
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> call(caller));
        assertThat(e).as("expected RESOURCE_EXHAUSTED").isNotNull();
        return e;
    }

    private static long retryMillis(StatusRuntimeException e) throws Exception {
        com.google.rpc.Status status = StatusProto.fromThrowable(e);
        assertThat(status).isNotNull();
        RetryInfo info = status.getDetails(0).unpack(RetryInfo.class);
        return info.getRetryDelay().getSeconds() * 1000 + info.getRetryDelay().getNanos() / 1_000_000;
    }

    @Test
    void burstThenRefusedWithRetryInfoThenRecovered() throws Exception {
        for (int i = 0; i < 3; i++) {
            call(WEB);
        }
        StatusRuntimeException e = refusal(WEB);
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(e.getStatus().getDescription())
                .isEqualTo("rate limit of caller 'web' exceeded (2 per second, burst 3); retry in 0.500 s");
        assertThat(retryMillis(e)).isEqualTo(500);

        now.addAndGet(SECOND / 5);
        assertThat(retryMillis(refusal(WEB))).as("refusals do not consume tokens").isEqualTo(300);

        now.addAndGet(3 * SECOND / 10);
        call(WEB);
        refusal(WEB);

        now.addAndGet(10 * SECOND);
        for (int i = 0; i < 3; i++) {
            call(WEB);
        }
        refusal(WEB);
    }

    @Test
    void steadyRateIsSustained() {
        for (int i = 0; i < 1000; i++) {
            call(WEB);
            now.addAndGet(SECOND / 2);
        }
    }

    @Test
    void callersHaveTheirOwnBuckets() throws Exception {
        call(MOBILE);
        assertThat(retryMillis(refusal(MOBILE))).isEqualTo(1000);
        assertThatCode(() -> call(WEB)).doesNotThrowAnyException();
    }

    @Test
    void aReloadKeepsUnchangedBucketsAndResetsChangedOnes() {
        for (int i = 0; i < 3; i++) {
            call(WEB);
        }
        call(MOBILE);
        // the configuration changes the limit of mobile only
        assertThat(catchThrowableOfType(StatusRuntimeException.class, () -> acquire(limiter, WEB, new RateLimit(2, 3))))
                .as("an unchanged limit keeps its (empty) bucket").isNotNull();
        acquire(limiter, MOBILE, new RateLimit(5, 5));
        for (int i = 0; i < 4; i++) {
            acquire(limiter, WEB, new RateLimit(2, 4));
        }
        assertThat(catchThrowableOfType(StatusRuntimeException.class, () -> acquire(limiter, WEB, new RateLimit(2, 4))))
                .as("a changed limit starts with a full bucket of its size").isNotNull();
    }

    @Test
    void retryDelayIsRoundedUpToAMillisecond() throws Exception {
        RateLimit fast = new RateLimit(3, 1);
        acquire(limiter, WEB, fast);
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> acquire(limiter, WEB, fast));
        assertThat(retryMillis(e)).isEqualTo(334);
        now.addAndGet(333_333_332L);
        assertThat(catchThrowableOfType(StatusRuntimeException.class, () -> acquire(limiter, WEB, fast))).isNotNull();
        now.addAndGet(1);
        acquire(limiter, WEB, fast);
    }

    @Test
    void concurrentCallersNeverExceedTheBurst() throws Exception {
        RateLimit slow = new RateLimit(0.001, 100);
        AtomicInteger admitted = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch start = new CountDownLatch(1);
        try {
            for (int t = 0; t < 8; t++) {
                pool.execute(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < 1000; i++) {
                        try {
                            acquire(limiter, WEB, slow);
                            admitted.incrementAndGet();
                        } catch (StatusRuntimeException expected) {
                            // refused
                        }
                    }
                });
            }
            start.countDown();
        } finally {
            pool.shutdown();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(admitted).hasValue(100);
    }

    @Test
    void invalidLimits() {
        assertThatThrownBy(() -> new RateLimit(0, 1)).hasMessageContaining("per_second");
        assertThatThrownBy(() -> new RateLimit(Double.NaN, 1)).hasMessageContaining("per_second");
        assertThatThrownBy(() -> new RateLimit(1, 0)).hasMessageContaining("burst");
        assertThat(new RateLimit(0.5, 1)).hasToString("0.5 per second, burst 1");
    }

    @Test
    void bucketsOfIdleUsersAreEvictedWithoutChangingAnyDecision() {
        RateLimit perUser = new RateLimit(1, 2);
        for (int user = 0; user < 10 * RateLimiter.MIN_SWEEP_SIZE; user++) {
            acquire(limiter, "end-user/" + user, perUser);
            now.addAndGet(SECOND / 100);
        }
        assertThat(limiter.size()).as("only users active within the last refill period (2 s = 200 users) stay,"
                + " within twice the sweep threshold").isLessThan(2 * RateLimiter.MIN_SWEEP_SIZE);

        acquire(limiter, "end-user/busy", perUser);
        acquire(limiter, "end-user/busy", perUser);
        for (int user = 0; user < 3 * RateLimiter.MIN_SWEEP_SIZE; user++) {
            acquire(limiter, "end-user/other-" + user, perUser);
        }
        assertThatThrownBy(() -> acquire(limiter, "end-user/busy", perUser))
                .as("a bucket that is not full survives the sweep").isInstanceOf(StatusRuntimeException.class);
    }

    /** What a call meets: a token taken, or RESOURCE_EXHAUSTED naming the bucket with its RetryInfo. */
    private static void acquire(RateLimiter limiter, String key, RateLimit limit) {
        long waitNanos = limiter.tryAcquire(key, limit);
        if (waitNanos > 0) {
            throw RateLimiter.exhausted(key, limit, waitNanos);
        }
    }
}
