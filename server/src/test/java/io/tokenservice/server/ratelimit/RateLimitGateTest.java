package io.tokenservice.server.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.rpc.RetryInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.tokenservice.server.access.Caller;
import io.tokenservice.server.access.GrantRequest;
import io.tokenservice.server.access.Rpc;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimitGateTest {
    private static final Caller WEB = new Caller("web", Caller.AuthMethod.API_KEY);
    private static final Caller MOBILE = new Caller("mobile", Caller.AuthMethod.API_KEY);
    private static final GrantRequest ANY = new GrantRequest(Rpc.INSPECT_TOKEN, "app", List.of(), 0);
    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong now = new AtomicLong(123_456_789L);
    private final RateLimitGate gate = new RateLimitGate(Map.of("web", new RateLimit(2, 3)), new RateLimit(1, 1),
            now::get);

    private StatusRuntimeException refusal(Caller caller) {
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> gate.admit(caller, Rpc.INSPECT_TOKEN));
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
            gate.admit(WEB, Rpc.INSPECT_TOKEN);
        }
        StatusRuntimeException e = refusal(WEB);
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(e.getStatus().getDescription())
                .isEqualTo("rate limit of caller 'web' exceeded (2 per second, burst 3); retry in 0.500 s");
        assertThat(retryMillis(e)).isEqualTo(500);

        now.addAndGet(SECOND / 5);
        assertThat(retryMillis(refusal(WEB))).as("refusals do not consume tokens").isEqualTo(300);

        now.addAndGet(3 * SECOND / 10);
        gate.admit(WEB, Rpc.INSPECT_TOKEN);
        refusal(WEB);

        now.addAndGet(10 * SECOND);
        for (int i = 0; i < 3; i++) {
            gate.admit(WEB, Rpc.INSPECT_TOKEN);
        }
        refusal(WEB);
    }

    @Test
    void steadyRateIsSustained() {
        for (int i = 0; i < 1000; i++) {
            gate.admit(WEB, Rpc.INSPECT_TOKEN);
            now.addAndGet(SECOND / 2);
        }
    }

    @Test
    void callersHaveTheirOwnBuckets() throws Exception {
        gate.admit(MOBILE, Rpc.INSPECT_TOKEN);
        assertThat(retryMillis(refusal(MOBILE))).isEqualTo(1000);
        assertThatCode(() -> gate.admit(WEB, Rpc.INSPECT_TOKEN)).doesNotThrowAnyException();
        assertThat(gate.limitOf("mobile")).isEqualTo(new RateLimit(1, 1));
    }

    @Test
    void reloadKeepsUnchangedBucketsAndResetsChangedOnes() {
        for (int i = 0; i < 3; i++) {
            gate.admit(WEB, Rpc.INSPECT_TOKEN);
        }
        gate.admit(MOBILE, Rpc.INSPECT_TOKEN);
        gate.update(Map.of("web", new RateLimit(2, 3)), new RateLimit(5, 5));
        refusal(WEB);
        gate.admit(MOBILE, Rpc.INSPECT_TOKEN);
        gate.update(Map.of("web", new RateLimit(2, 4)), new RateLimit(5, 5));
        for (int i = 0; i < 4; i++) {
            gate.admit(WEB, Rpc.INSPECT_TOKEN);
        }
        refusal(WEB);
    }

    @Test
    void retryDelayIsRoundedUpToAMillisecond() throws Exception {
        RateLimitGate fast = new RateLimitGate(Map.of(), new RateLimit(3, 1), now::get);
        fast.admit(WEB, Rpc.INSPECT_TOKEN);
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> fast.admit(WEB, Rpc.INSPECT_TOKEN));
        assertThat(retryMillis(e)).isEqualTo(334);
        now.addAndGet(333_333_332L);
        assertThat(catchThrowableOfType(StatusRuntimeException.class, () -> fast.admit(WEB, Rpc.INSPECT_TOKEN))).isNotNull();
        now.addAndGet(1);
        fast.admit(WEB, Rpc.INSPECT_TOKEN);
    }

    @Test
    void concurrentCallersNeverExceedTheBurst() throws Exception {
        RateLimitGate g = new RateLimitGate(Map.of(), new RateLimit(0.001, 100), now::get);
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
                            g.admit(WEB, Rpc.INSPECT_TOKEN);
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
    void aCallIsChargedWhenItIsAdmittedAndNeverAgain() {
        for (int i = 0; i < 3; i++) {
            gate.admit(WEB, Rpc.ISSUE_RTC_TOKEN);
        }
        assertThatCode(() -> gate.check(WEB, ANY)).as("the whole grant, once admitted").doesNotThrowAnyException();
        assertThat(refusal(WEB).getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    }

    @Test
    void invalidLimits() {
        assertThatThrownBy(() -> new RateLimit(0, 1)).hasMessageContaining("per_second");
        assertThatThrownBy(() -> new RateLimit(Double.NaN, 1)).hasMessageContaining("per_second");
        assertThatThrownBy(() -> new RateLimit(1, 0)).hasMessageContaining("burst");
        assertThat(new RateLimit(0.5, 1)).hasToString("0.5 per second, burst 1");
    }
}
