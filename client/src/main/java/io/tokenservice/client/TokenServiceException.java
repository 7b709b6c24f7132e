package io.tokenservice.client;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.RetryInfo;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * A failed TokenService call, with what the server said about it.
 *
 * <p>{@link #kind()} says what to do about it (fix the request, fix the credentials, ask an operator, wait
 * and retry, issue a new token); {@link #reason()} is the server's status message (for PERMISSION_DENIED
 * it names the policy rule that denied the call); {@link #fieldViolations()} lists the offending request
 * fields of an INVALID_ARGUMENT; {@link #errorReason()} is the {@code google.rpc.ErrorInfo} reason (e.g.
 * {@code TOKEN_EXPIRED}, {@code HEADERS_TOO_LARGE}); {@link #retryDelay()} is the {@code google.rpc.RetryInfo}
 * delay of a rate-limited call.
 *
 * <p>RESOURCE_EXHAUSTED means two things a caller must tell apart: with a RetryInfo it is the rate limit
 * ({@link Kind#RATE_LIMITED}: wait, then retry); without one the request is larger than the server accepts
 * ({@link Kind#REQUEST_TOO_LARGE}: a message above its request size limit, metadata above its header limit,
 * or another per-request limit; retrying it unchanged fails the same way).
 */
public final class TokenServiceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private static final String PLAINTEXT_SERVER = "the server answered in plaintext, but this client speaks TLS "
            + "(the default). For a server without TLS, such as the local development server, build the client with "
            + "TokenClient.builder().target(...).plaintext(); otherwise check that the target is the server's TLS port";
    private static final String TLS_SERVER = "the server speaks TLS, but this client was built with .plaintext(): "
            + "drop .plaintext() to use TLS (with trustCertificates(...) if the server's certificate is not publicly "
            + "trusted), or point the client at a port without TLS";

    /** ErrorInfo reason of RenewToken's FAILED_PRECONDITION for a token past the server's renewal grace. */
    public static final String TOKEN_EXPIRED_REASON = "TOKEN_EXPIRED";
    /** ErrorInfo reason of a RESOURCE_EXHAUSTED for request metadata (headers) above the server's limit. */
    public static final String HEADERS_TOO_LARGE_REASON = "HEADERS_TOO_LARGE";

    /** What went wrong, in terms of what the caller can do about it. */
    public enum Kind {
        /** INVALID_ARGUMENT: the request is malformed; fix it, do not retry it unchanged. */
        INVALID_REQUEST(false),
        /** UNAUTHENTICATED: missing, unknown or revoked API key, or untrusted client certificate. */
        AUTHENTICATION(false),
        /** PERMISSION_DENIED: the caller's policy forbids the request; the reason names the rule. */
        PERMISSION_DENIED(false),
        /** NOT_FOUND: the server holds no certificate for the requested app id. */
        UNKNOWN_APP(false),
        /** FAILED_PRECONDITION / TOKEN_EXPIRED: the token is too old to renew; issue a new one. */
        TOKEN_EXPIRED(false),
        /** RESOURCE_EXHAUSTED with a RetryInfo: the caller's rate limit; wait at least {@link #retryDelay()}. */
        RATE_LIMITED(true),
        /**
         * RESOURCE_EXHAUSTED without a RetryInfo: the request is larger than the server accepts (its message,
         * or its metadata: {@link #errorReason()} {@value #HEADERS_TOO_LARGE_REASON}); send a smaller one.
         */
        REQUEST_TOO_LARGE(false),
        /** UNAVAILABLE, DEADLINE_EXCEEDED or ABORTED: transient; retry with backoff. */
        UNAVAILABLE(true),
        /** INTERNAL or UNKNOWN: a server bug, worth reporting; a retry may succeed. */
        SERVER_ERROR(true),
        /** The call was cancelled on this side (e.g. the client was closed). */
        CANCELLED(false),
        /**
         * UNAVAILABLE because this client speaks TLS and the server answered in plaintext (the local
         * development server runs without TLS): build the client with {@link TokenClient.Builder#plaintext()}
         * for such a server, or point it at the TLS port. Or the reverse: the client was built with
         * {@code plaintext()} and the server speaks TLS; drop {@code plaintext()}. Retrying does not help.
         */
        TLS_MISMATCH(false),
        /** Any other status (e.g. UNIMPLEMENTED: the target is not a TokenService). */
        OTHER(false);

        private final boolean retryable;

        Kind(boolean retryable) {
            this.retryable = retryable;
        }

        /** Whether repeating the same call later may succeed. */
        public boolean retryable() {
            return retryable;
        }
    }

    /** One offending request field of an INVALID_ARGUMENT, by proto field path (e.g. "channel"). */
    public record FieldViolation(String field, String description) {
        public FieldViolation {
            Objects.requireNonNull(field, "field");
            Objects.requireNonNull(description, "description");
        }

        @Override
        public String toString() {
            return field + ": " + description;
        }
    }

    private final Kind kind;
    private final Status.Code code;
    private final String reason;
    private final transient List<FieldViolation> fieldViolations;
    private final String errorReason;
    private final Duration retryDelay;

    private TokenServiceException(String rpc, Kind kind, Status.Code code, String reason,
            List<FieldViolation> fieldViolations, String errorReason, Duration retryDelay, Throwable cause) {
        super(message(rpc, code, reason, fieldViolations, errorReason, retryDelay), cause);
        this.kind = kind;
        this.code = code;
        this.reason = reason;
        this.fieldViolations = List.copyOf(fieldViolations);
        this.errorReason = errorReason;
        this.retryDelay = retryDelay;
    }

    /** What to do about the failure. */
    public Kind kind() {
        return kind;
    }

    /** The gRPC status code the call ended with. */
    public Status.Code code() {
        return code;
    }

    /** The server's status message (for PERMISSION_DENIED: the policy rule that denied the call); may be empty. */
    public String reason() {
        return reason;
    }

    /** For INVALID_ARGUMENT: each offending request field (google.rpc.BadRequest); otherwise empty. */
    public List<FieldViolation> fieldViolations() {
        return fieldViolations;
    }

    /** The google.rpc.ErrorInfo reason, e.g. {@value #TOKEN_EXPIRED_REASON}. */
    public Optional<String> errorReason() {
        return Optional.ofNullable(errorReason);
    }

    /** For the rate limit (RESOURCE_EXHAUSTED): how long the server asks the caller to wait (google.rpc.RetryInfo). */
    public Optional<Duration> retryDelay() {
        return Optional.ofNullable(retryDelay);
    }

    /** Whether repeating the same call later may succeed ({@link Kind#retryable()}). */
    public boolean isRetryable() {
        return kind.retryable();
    }

    /**
     * Converts whatever a TokenService call failed with into a TokenServiceException: a gRPC
     * {@link StatusRuntimeException}/{@link StatusException} (decoding its rich error details), a
     * {@link CompletionException}/{@link ExecutionException} wrapping one, a cancellation, or anything else
     * (as {@link Kind#OTHER}). Returns the argument itself if it already is one.
     */
    public static TokenServiceException from(String rpc, Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof TokenServiceException e) {
            return e;
        }
        if (t instanceof CancellationException) {
            return new TokenServiceException(rpc, Kind.CANCELLED, Status.Code.CANCELLED, "cancelled by the caller",
                    List.of(), null, null, t);
        }
        Status status = Status.fromThrowable(t);
        if (status.getCode() == Status.Code.UNKNOWN && !(t instanceof StatusRuntimeException)
                && !(t instanceof StatusException)) {
            return new TokenServiceException(rpc, Kind.OTHER, Status.Code.UNKNOWN, String.valueOf(t), List.of(),
                    null, null, t);
        }
        List<FieldViolation> violations = new ArrayList<>();
        String errorReason = null;
        Duration retryDelay = null;
        boolean retryInfo = false;
        com.google.rpc.Status details = StatusProto.fromThrowable(t);
        if (details != null) {
            for (Any any : details.getDetailsList()) {
                try {
                    if (any.is(BadRequest.class)) {
                        for (BadRequest.FieldViolation v : any.unpack(BadRequest.class).getFieldViolationsList()) {
                            violations.add(new FieldViolation(v.getField(), v.getDescription()));
                        }
                    } else if (any.is(ErrorInfo.class)) {
                        errorReason = any.unpack(ErrorInfo.class).getReason();
                    } else if (any.is(RetryInfo.class)) {
                        retryInfo = true;
                        RetryInfo info = any.unpack(RetryInfo.class);
                        if (info.hasRetryDelay()) {
                            retryDelay = Duration.ofSeconds(info.getRetryDelay().getSeconds(),
                                    info.getRetryDelay().getNanos());
                        }
                    }
                } catch (InvalidProtocolBufferException ignored) {
                    // A detail we cannot decode is simply not reported.
                }
            }
        }
        if (status.getCode() == Status.Code.UNAVAILABLE && answeredInPlaintext(t)) {
            return new TokenServiceException(rpc, Kind.TLS_MISMATCH, status.getCode(), PLAINTEXT_SERVER, List.of(),
                    null, null, t);
        }
        String reason = status.getDescription() == null ? "" : status.getDescription();
        return new TokenServiceException(rpc, kindOf(status.getCode(), errorReason, retryInfo),
                status.getCode(), reason, violations, errorReason, retryDelay, t);
    }

    /** UNAVAILABLE {@link Kind#TLS_MISMATCH} for a plaintext client whose server speaks TLS ({@link TlsProbe}). */
    static TokenServiceException tlsServer(String rpc, Throwable cause) {
        return new TokenServiceException(rpc, Kind.TLS_MISMATCH, Status.Code.UNAVAILABLE, TLS_SERVER, List.of(), null,
                null, cause);
    }

    /**
     * Netty's {@code NotSslRecordException} (shaded or not, so matched by name): the first bytes the server
     * sent were not a TLS record. A gRPC server without TLS answers a ClientHello with an HTTP/2 frame.
     */
    private static boolean answeredInPlaintext(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c.getClass().getSimpleName().equals("NotSslRecordException")) {
                return true;
            }
        }
        return false;
    }

    private static Kind kindOf(Status.Code code, String errorReason, boolean retryInfo) {
        return switch (code) {
            case INVALID_ARGUMENT, OUT_OF_RANGE -> Kind.INVALID_REQUEST;
            case UNAUTHENTICATED -> Kind.AUTHENTICATION;
            case PERMISSION_DENIED -> Kind.PERMISSION_DENIED;
            case NOT_FOUND -> Kind.UNKNOWN_APP;
            case FAILED_PRECONDITION -> TOKEN_EXPIRED_REASON.equals(errorReason) ? Kind.TOKEN_EXPIRED : Kind.OTHER;
            case RESOURCE_EXHAUSTED -> retryInfo ? Kind.RATE_LIMITED : Kind.REQUEST_TOO_LARGE;
            case UNAVAILABLE, DEADLINE_EXCEEDED, ABORTED -> Kind.UNAVAILABLE;
            case INTERNAL, UNKNOWN, DATA_LOSS -> Kind.SERVER_ERROR;
            case CANCELLED -> Kind.CANCELLED;
            default -> Kind.OTHER;
        };
    }

    private static String message(String rpc, Status.Code code, String reason, List<FieldViolation> violations,
            String errorReason, Duration retryDelay) {
        StringBuilder sb = new StringBuilder(rpc).append(" failed: ").append(code);
        if (errorReason != null && !errorReason.isEmpty()) {
            sb.append(" (").append(errorReason).append(')');
        }
        if (!reason.isEmpty()) {
            sb.append(": ").append(reason);
        }
        if (!violations.isEmpty()) {
            sb.append(" ").append(violations);
        }
        if (retryDelay != null) {
            sb.append(" [retry after ").append(retryDelay).append(']');
        }
        return sb.toString();
    }
}
