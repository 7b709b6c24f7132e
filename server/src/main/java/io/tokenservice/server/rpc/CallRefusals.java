package io.tokenservice.server.rpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tokenservice.server.access.AuditEvent;
import io.tokenservice.server.access.AuditSink;
import io.tokenservice.server.access.Caller;
import io.tokenservice.server.access.Rpc;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

/**
 * Ends calls that interceptors refuse before (or instead of) their handler, with the refusal's status
 * and details, and records one audit event for each TokenService call refused so (other services are
 * not audited).
 */
public final class CallRefusals {
    private static final ServerCall.Listener<Object> NOOP = new ServerCall.Listener<>() {};

    private final AuditSink audit;
    private final Clock clock;

    public CallRefusals(AuditSink audit, Clock clock) {
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Ends {@code call} with {@code error} and audits it if {@code rpc} is not null; returns a listener
     * that ignores whatever the client still sends.
     *
     * @param caller the authenticated caller, or null before authentication
     */
    public <Q> ServerCall.Listener<Q> refuse(ServerCall<Q, ?> call, Rpc rpc, Caller caller,
            StatusRuntimeException error) {
        end(call, rpc, caller, error);
        @SuppressWarnings("unchecked")
        ServerCall.Listener<Q> noop = (ServerCall.Listener<Q>) NOOP;
        return noop;
    }

    /** Ends a running {@code call} with {@code error}, audited as {@link #refuse} does. */
    public void end(ServerCall<?, ?> call, Rpc rpc, Caller caller, StatusRuntimeException error) {
        Status status = error.getStatus();
        if (rpc != null) {
            try {
                audit.record(new AuditEvent(clock.instant(), Optional.ofNullable(caller), rpc, Optional.empty(),
                        status.getCode(), status.getDescription() == null ? status.getCode().name()
                                : status.getDescription(), Optional.empty()));
            } catch (RuntimeException e) {
                // auditing must not turn a refusal into an acceptance or an INTERNAL error
            }
        }
        Metadata trailers = error.getTrailers();
        call.close(status, trailers == null ? new Metadata() : trailers);
    }
}
