package io.tokenservice.server.metrics;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tokenservice.proto.v1.TokenServiceGrpc;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * {@code tokenservice_rpc_duration_seconds{rpc,code}}: one histogram per RPC and status code, from the call's
 * arrival to its close, whatever closed it (the authenticator, a handler, a cancellation). Its {@code _count}
 * is the number of calls. Register it outermost (server-wide) so refused authentications are timed too; calls
 * of other services (health, reflection) are not timed.
 *
 * <p>Each (RPC, code) timer is registered on first use and then read from an array: no lookup by tags per call.
 */
public final class RpcMetricsInterceptor implements ServerInterceptor {
    static final String NAME = "tokenservice.rpc.duration";
    private static final Duration[] BUCKETS = {
        Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(2),
        Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofSeconds(2), Duration.ofSeconds(5)
    };
    private static final Status.Code[] CODES = Status.Code.values();

    private final MeterRegistry registry;
    /** Per full method name: a timer per status code, bound on first use. */
    private final Map<String, AtomicReferenceArray<Timer>> timers = new ConcurrentHashMap<>();

    RpcMetricsInterceptor(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
            ServerCallHandler<ReqT, RespT> next) {
        MethodDescriptor<ReqT, RespT> method = call.getMethodDescriptor();
        if (!TokenServiceGrpc.SERVICE_NAME.equals(method.getServiceName())) {
            // Health and reflection pass through the server-wide interceptors too; they are not timed.
            return next.startCall(call, headers);
        }
        long start = System.nanoTime();
        AtomicReferenceArray<Timer> byCode = timers.computeIfAbsent(method.getFullMethodName(),
                name -> new AtomicReferenceArray<>(CODES.length));
        String rpc = method.getBareMethodName();
        return next.startCall(new SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                timer(byCode, rpc, status.getCode()).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                super.close(status, trailers);
            }
        }, headers);
    }

    private Timer timer(AtomicReferenceArray<Timer> byCode, String rpc, Status.Code code) {
        Timer timer = byCode.get(code.ordinal());
        if (timer == null) {
            timer = Timer.builder(NAME)
                    .description("TokenService calls by RPC and status code: latency, and calls (_count)")
                    .tag("rpc", rpc)
                    .tag("code", code.name())
                    .serviceLevelObjectives(BUCKETS)
                    .register(registry);
            byCode.set(code.ordinal(), timer);
        }
        return timer;
    }
}
