package io.tokenservice.gateway.forward;

import io.grpc.Status;

/**
 * What a caller learns when the token server could not answer: the status code, never the server's
 * address or the transport's exception text (which name internal hosts and ports).
 */
public final class BackendStatus {
    static final String UNAVAILABLE = "the token service is unavailable; retry with backoff";
    static final String DEADLINE_EXCEEDED = "the token service did not answer within the deadline";

    private BackendStatus() {}

    public static Status forCaller(Status status) {
        return switch (status.getCode()) {
            case UNAVAILABLE -> Status.UNAVAILABLE.withDescription(UNAVAILABLE);
            case DEADLINE_EXCEEDED -> Status.DEADLINE_EXCEEDED.withDescription(DEADLINE_EXCEEDED);
            default -> status.withCause(null);
        };
    }

    /** Whether the status says the server was not reached in time, rather than what the server answered. */
    public static boolean isTransport(Status status) {
        return status.getCode() == Status.Code.UNAVAILABLE || status.getCode() == Status.Code.DEADLINE_EXCEEDED;
    }
}
