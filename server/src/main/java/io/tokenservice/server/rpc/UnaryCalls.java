package io.tokenservice.server.rpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.tokenservice.core.validation.InvalidTokenInputException;
import io.tokenservice.server.access.AccessGate;
import io.tokenservice.server.access.AuditEvent;
import io.tokenservice.server.access.AuditSink;
import io.tokenservice.server.access.AuditUnavailableException;
import io.tokenservice.server.access.Caller;
import io.tokenservice.server.access.CallerContext;
import io.tokenservice.server.access.GrantRequest;
import io.tokenservice.server.access.Rpc;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The frame every RPC runs in: the handler body validates, calls {@link Attempt#authorize} (the
 * {@link AccessGate}) and signs; this class answers the client and records exactly one
 * {@link AuditEvent} per call, allowed or refused, with the status code and reason. Typed failures
 * ({@link StatusRuntimeException}) go to the client as they are; core input errors become
 * INVALID_ARGUMENT; anything else is a server bug and becomes INTERNAL without details.
 *
 * <p>Runs on the transport thread (the server uses a direct executor): no blocking, no per-call logging.
 */
public final class UnaryCalls {
    private static final Logger LOG = Logger.getLogger(UnaryCalls.class.getName());

    private final AccessGate gate;
    private final AuditSink audit;
    private final Clock clock;

    public UnaryCalls(AccessGate gate, AuditSink audit, Clock clock) {
        this.gate = Objects.requireNonNull(gate, "gate");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** A handler body: returns the response or throws a typed failure. */
    @FunctionalInterface
    public interface Body<R> {
        R run(Attempt attempt);
    }

    /** What the body has established so far, for the gate and the audit record. */
    public final class Attempt {
        private final Rpc rpc;
        private final Caller caller;
        private GrantRequest grant;
        private String tokenSha256Prefix;
        private String reason;

        private Attempt(Rpc rpc, Caller caller) {
            this.rpc = rpc;
            this.caller = caller;
        }

        /** The authenticated caller (from {@link CallerContext}). */
        public Caller caller() {
            return caller;
        }

        /**
         * Asks the access gate whether the caller may use the app the request names ({@code appId} as sent);
         * throws its PERMISSION_DENIED if not. Bodies call this before validating the rest of the request,
         * and before saying whether the server holds the app.
         */
        public void admitApp(String appId) {
            gate.admitApp(caller, rpc, appId);
        }

        /**
         * Asks the access gate whether the caller may have {@code request}; throws its
         * PERMISSION_DENIED / RESOURCE_EXHAUSTED if not. Every body calls this once before signing.
         */
        public void authorize(GrantRequest request) {
            this.grant = Objects.requireNonNull(request, "request");
            gate.check(caller, request);
        }

        /** The token the audit record refers to (an issued one, or the one inspected). */
        public void tokenSha256Prefix(String prefix) {
            this.tokenSha256Prefix = prefix;
        }

        /** The reason recorded for an allowed call (default: "issued", "renewed" or "inspected"). */
        public void reason(String reason) {
            this.reason = reason;
        }
    }

    public <R> void run(Rpc rpc, StreamObserver<R> responses, Body<R> body) {
        Caller caller = CallerContext.CALLER.get();
        Attempt attempt = new Attempt(rpc, caller);
        if (caller == null) {
            LOG.severe(rpc.methodName() + " reached its handler without a caller in CallerContext: "
                    + "the authentication interceptor is missing or broken (a server bug)");
            refuse(rpc, attempt, responses, RpcErrors.internal("no authenticated caller; this is a server bug"));
            return;
        }
        R response;
        try {
            response = body.run(attempt);
            if (attempt.grant == null) {
                throw new IllegalStateException(rpc.methodName() + " answered without asking the access gate");
            }
        } catch (StatusRuntimeException e) {
            refuse(rpc, attempt, responses, e);
            return;
        } catch (InvalidTokenInputException e) {
            refuse(rpc, attempt, responses, RpcErrors.invalidArgument(CoreFields.toProto(rpc, e.field()), e.rule()));
            return;
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, rpc.methodName() + " failed with an unexpected " + e.getClass().getName()
                    + " (a server bug)", e);
            refuse(rpc, attempt, responses, RpcErrors.internal("internal error in " + rpc.methodName()
                    + "; this is a server bug, please report it"));
            return;
        }
        if (responses instanceof ServerCallStreamObserver<R> call && call.isCancelled()) {
            // The client gave up (deadline, cancellation, server shutdown): nothing is handed out.
            refuse(rpc, attempt, responses, Status.CANCELLED.withDescription("the call was cancelled before the "
                    + "response was sent").asRuntimeException());
            return;
        }
        try {
            audit.record(new AuditEvent(clock.instant(), Optional.of(attempt.caller), rpc, Optional.of(attempt.grant),
                    Status.Code.OK, attempt.reason != null ? attempt.reason : defaultReason(rpc),
                    Optional.ofNullable(attempt.tokenSha256Prefix)));
        } catch (AuditUnavailableException e) {
            // Fail closed: a token whose issue cannot be audited is not handed out. The sink logs the episode.
            responses.onError(Status.UNAVAILABLE.withDescription(e.getMessage()).asRuntimeException());
            return;
        } catch (RuntimeException e) {
            // Fail closed: a token whose issue cannot be audited is not handed out.
            LOG.log(Level.SEVERE, "audit sink failed; refusing " + rpc.methodName() + ": " + e.getClass().getName());
            responses.onError(RpcErrors.internal("could not record the audit event; the token was not issued"));
            return;
        }
        responses.onNext(response);
        responses.onCompleted();
    }

    private static String defaultReason(Rpc rpc) {
        return switch (rpc) {
            case RENEW_TOKEN -> "renewed";
            case INSPECT_TOKEN -> "inspected";
            default -> "issued";
        };
    }

    private void refuse(Rpc rpc, Attempt attempt, StreamObserver<?> responses, StatusRuntimeException error) {
        Status status = error.getStatus();
        try {
            audit.record(new AuditEvent(clock.instant(), Optional.ofNullable(attempt.caller), rpc,
                    Optional.ofNullable(attempt.grant), status.getCode(),
                    status.getDescription() == null ? status.getCode().name() : status.getDescription(),
                    Optional.empty()));
        } catch (AuditUnavailableException e) {
            // Counted and logged once per episode by the sink; the refusal stands.
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "audit sink failed while recording a refused " + rpc.methodName() + ": "
                    + e.getClass().getName());
        }
        responses.onError(error);
    }
}
