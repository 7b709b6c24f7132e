package io.tokenservice.server.testing;

import io.tokenservice.server.access.AuditEvent;
import io.tokenservice.server.access.AuditSink;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every audit event. */
public final class RecordingAuditSink implements AuditSink {
    private final List<AuditEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void record(AuditEvent event) {
        events.add(event);
    }

    public List<AuditEvent> events() {
        return List.copyOf(events);
    }

    public AuditEvent last() {
        if (events.isEmpty()) {
            throw new AssertionError("no audit event recorded");
        }
        return events.get(events.size() - 1);
    }

    public void clear() {
        events.clear();
    }
}
