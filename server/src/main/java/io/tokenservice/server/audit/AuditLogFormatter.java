package io.tokenservice.server.audit;

import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * A {@link java.util.logging.Formatter} writing each record's message alone followed by a newline, so
 * that a handler on the {@value JsonAuditSink#LOGGER_NAME} logger emits bare JSON lines.
 */
public final class AuditLogFormatter extends Formatter {
    @Override
    public String format(LogRecord record) {
        return record.getMessage() + System.lineSeparator();
    }
}
