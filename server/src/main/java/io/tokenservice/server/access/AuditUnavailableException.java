package io.tokenservice.server.access;

/**
 * Thrown by an {@link AuditSink} that cannot take a record now (its queue is full because the audit stream is
 * slow or broken). The call whose record it was must not hand out a token.
 */
public final class AuditUnavailableException extends RuntimeException {
    public AuditUnavailableException(String message) {
        super(message, null, false, false);
    }
}
