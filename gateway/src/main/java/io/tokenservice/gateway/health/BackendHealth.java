package io.tokenservice.gateway.health;

import com.linecorp.armeria.server.healthcheck.HealthCheckStatus;
import com.linecorp.armeria.server.healthcheck.HealthChecker;
import com.linecorp.armeria.server.healthcheck.ListenableHealthChecker;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.tokenservice.gateway.forward.Backend;
import io.tokenservice.proto.v1.TokenServiceGrpc;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;

/**
 * The gateway is healthy while the token server says its TokenService is SERVING (grpc.health.v1): asked
 * every {@link #HEALTHY_INTERVAL} while it is, every {@link #UNHEALTHY_INTERVAL} while it is not, and then
 * without waiting for the channel's reconnection back-off, so a restarted server is used again at once.
 * Each change is logged once, never per call.
 */
public final class BackendHealth {
    static final Duration HEALTHY_INTERVAL = Duration.ofSeconds(2);
    static final Duration UNHEALTHY_INTERVAL = Duration.ofMillis(500);
    private static final Duration CHECK_DEADLINE = Duration.ofSeconds(3);
    private static final Logger LOG = Logger.getLogger(BackendHealth.class.getName());

    private BackendHealth() {}

    public static ListenableHealthChecker checker(Backend backend) {
        AtomicReference<String> last = new AtomicReference<>();
        return HealthChecker.of(() -> check(backend).thenApply(problem -> {
            String previous = last.getAndSet(problem);
            if (!problem.equals(previous)) {
                if (problem.isEmpty()) {
                    LOG.info("token server " + backend.target() + " is SERVING");
                } else {
                    LOG.warning("token server " + backend.target() + " is not serving: " + problem);
                }
            }
            if (problem.isEmpty()) {
                return new HealthCheckStatus(true, HEALTHY_INTERVAL.toMillis());
            }
            backend.reconnectNow();
            return new HealthCheckStatus(false, UNHEALTHY_INTERVAL.toMillis());
        }), UNHEALTHY_INTERVAL);
    }

    /** Empty when the server serves the token service, else why not (a status code, no addresses). */
    private static CompletableFuture<String> check(Backend backend) {
        HealthCheckRequest request = HealthCheckRequest.newBuilder().setService(TokenServiceGrpc.SERVICE_NAME).build();
        return backend.call(HealthGrpc.getCheckMethod(), request, new Metadata(),
                        Deadline.after(CHECK_DEADLINE.toMillis(), TimeUnit.MILLISECONDS))
                .handle((response, failure) -> {
                    if (failure == null) {
                        return response.getStatus() == ServingStatus.SERVING ? "" : "health " + response.getStatus();
                    }
                    if (failure instanceof StatusRuntimeException e) {
                        return e.getStatus().getCode().toString();
                    }
                    return failure.getClass().getSimpleName();
                });
    }
}
