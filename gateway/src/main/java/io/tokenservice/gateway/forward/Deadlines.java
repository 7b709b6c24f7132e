package io.tokenservice.gateway.forward;

import com.linecorp.armeria.server.ServiceRequestContext;
import io.grpc.Deadline;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The deadline of a call to the token server: the caller's (a gRPC or gRPC-Web {@code grpc-timeout},
 * which Armeria turns into the request's timeout), never later than the gateway's call timeout, so
 * a caller without a deadline or with a very long one cannot hold a call open for long.
 */
public final class Deadlines {
    private Deadlines() {}

    public static Deadline forCall(ServiceRequestContext ctx, Duration callTimeout) {
        long capNanos = callTimeout.toNanos();
        long timeoutMillis = ctx.requestTimeoutMillis();
        if (timeoutMillis <= 0) {
            return Deadline.after(capNanos, TimeUnit.NANOSECONDS);
        }
        // The request's timeout counts from the start of the request, not from now.
        long end = ctx.log().partial().requestStartTimeNanos() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        long remaining = end - System.nanoTime();
        return Deadline.after(Math.min(remaining, capNanos), TimeUnit.NANOSECONDS);
    }
}
