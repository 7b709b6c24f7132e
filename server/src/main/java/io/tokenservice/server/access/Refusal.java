package io.tokenservice.server.access;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;

/**
 * A call refused on purpose (bad input, policy, rate limit, too large...): a {@link StatusRuntimeException}
 * without a stack trace. Refusals are expected, many are caused by callers on purpose, and a stack trace
 * would be most of what refusing costs; nobody reads it, since the status says why.
 */
public final class Refusal extends StatusRuntimeException {
    private static final long serialVersionUID = 1L;
    /** Where gRPC carries a google.rpc.Status with details (what {@code StatusProto} reads). */
    private static final Metadata.Key<com.google.rpc.Status> DETAILS = Metadata.Key.of("grpc-status-details-bin",
            ProtoUtils.metadataMarshaller(com.google.rpc.Status.getDefaultInstance()));

    private Refusal(Status status, Metadata trailers) {
        super(status, trailers);
    }

    public static Refusal of(Status status) {
        return new Refusal(status, null);
    }

    /** A status with google.rpc details (BadRequest, ErrorInfo, RetryInfo...), sent in the trailers. */
    public static Refusal of(com.google.rpc.Status details) {
        Metadata trailers = new Metadata();
        trailers.put(DETAILS, details);
        return new Refusal(Status.fromCodeValue(details.getCode()).withDescription(details.getMessage()), trailers);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
