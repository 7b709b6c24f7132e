package io.tokenservice.server.access;

/** Receives one {@link AuditEvent} per token decision, allowed or refused. Must not block. */
@FunctionalInterface
public interface AuditSink {
    void record(AuditEvent event);
}
