package io.tokenservice.server.rpc;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import io.grpc.StatusRuntimeException;
import io.tokenservice.server.access.Refusal;
import java.util.List;
import java.util.Map;

/**
 * The typed errors of the token service, as gRPC statuses with google.rpc details ({@link Refusal}s: no
 * stack trace). Messages name fields, rules and App IDs, never a token or a certificate.
 */
public final class RpcErrors {
    /** google.rpc.ErrorInfo domain of this service's reasons. */
    public static final String DOMAIN = "tokenservice.v1";
    public static final String REASON_TOKEN_EXPIRED = "TOKEN_EXPIRED";
    /** RESOURCE_EXHAUSTED without RetryInfo: the request's metadata is larger than the server accepts. */
    public static final String REASON_HEADERS_TOO_LARGE = "HEADERS_TOO_LARGE";
    /** RESOURCE_EXHAUSTED without RetryInfo: the connection has as many health/reflection calls open as allowed. */
    public static final String REASON_TOO_MANY_OPEN_CALLS = "TOO_MANY_OPEN_CALLS";

    private RpcErrors() {}

    /** INVALID_ARGUMENT with a google.rpc.BadRequest listing each violation. */
    public static StatusRuntimeException invalidArgument(List<FieldViolation> violations) {
        BadRequest.Builder badRequest = BadRequest.newBuilder();
        StringBuilder message = new StringBuilder("invalid request: ");
        String separator = "";
        for (FieldViolation violation : violations) {
            badRequest.addFieldViolations(BadRequest.FieldViolation.newBuilder()
                    .setField(violation.field())
                    .setDescription(violation.description()));
            message.append(separator).append(violation.field()).append(' ').append(violation.description());
            separator = "; ";
        }
        return Refusal.of(com.google.rpc.Status.newBuilder()
                .setCode(Code.INVALID_ARGUMENT_VALUE)
                .setMessage(message.toString())
                .addDetails(Any.pack(badRequest.build()))
                .build());
    }

    public static StatusRuntimeException invalidArgument(String field, String description) {
        return invalidArgument(List.of(new FieldViolation(field, description)));
    }

    public static StatusRuntimeException notFound(String message) {
        return plain(Code.NOT_FOUND, message);
    }

    public static StatusRuntimeException permissionDenied(String message) {
        return plain(Code.PERMISSION_DENIED, message);
    }

    /** FAILED_PRECONDITION with a google.rpc.ErrorInfo carrying {@code reason} and {@code metadata}. */
    public static StatusRuntimeException failedPrecondition(String reason, String message, Map<String, String> metadata) {
        return withErrorInfo(Code.FAILED_PRECONDITION, reason, message, metadata);
    }

    private static StatusRuntimeException withErrorInfo(Code code, String reason, String message,
            Map<String, String> metadata) {
        return Refusal.of(com.google.rpc.Status.newBuilder()
                .setCode(code.getNumber())
                .setMessage(message)
                .addDetails(Any.pack(ErrorInfo.newBuilder()
                        .setReason(reason)
                        .setDomain(DOMAIN)
                        .putAllMetadata(metadata)
                        .build()))
                .build());
    }

    /**
     * RESOURCE_EXHAUSTED with a google.rpc.ErrorInfo and no RetryInfo: not the rate limit (whose refusals
     * carry a RetryInfo), but a request the server will not take as it is.
     */
    public static StatusRuntimeException resourceExhausted(String reason, String message, Map<String, String> metadata) {
        return withErrorInfo(Code.RESOURCE_EXHAUSTED, reason, message, metadata);
    }

    public static StatusRuntimeException internal(String message) {
        return plain(Code.INTERNAL, message);
    }

    private static StatusRuntimeException plain(Code code, String message) {
        return Refusal.of(com.google.rpc.Status.newBuilder()
                .setCode(code.getNumber())
                .setMessage(message)
                .build());
    }
}
