package io.tokenservice.server.audit;

import io.tokenservice.logging.LogSetup;
import io.tokenservice.logging.LoggingSettings;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Sends the audit log ({@value JsonAuditSink#LOGGER_NAME}) to a stream of its own, one bare JSON line per
 * event ({@link AuditLogFormatter}), and nowhere else: the logger stops passing its records to the root
 * logger's handlers, so audit lines never mix with the application log. {@code java -jar} uses standard
 * output (the application log goes to standard error).
 *
 * <p>Each line is flushed as it is written; {@link #close()} only flushes, it never closes the stream.
 */
public final class AuditLogHandler extends Handler {
    /**
     * Held for the life of the class: java.util.logging keeps loggers only weakly, and an audit logger collected
     * between {@link #install} and its first use would come back without this handler, writing the audit into
     * the application log.
     */
    private static final Logger AUDIT_LOGGER = Logger.getLogger(JsonAuditSink.LOGGER_NAME);

    private final PrintStream out;

    private AuditLogHandler(PrintStream out) {
        this.out = Objects.requireNonNull(out, "out");
        setFormatter(new AuditLogFormatter());
        setLevel(Level.INFO);
    }

    /**
     * Installs a handler writing to {@code out} on the audit logger (replacing one installed before) and
     * detaches the logger from its parents' handlers. Closing the result undoes both.
     */
    public static Installation install(PrintStream out) {
        Logger logger = AUDIT_LOGGER;
        // The audit is not the application log: LOG_LEVEL=warn must not drop its records, also after Logback
        // resets java.util.logging's levels to its own.
        LogSetup.holdAt(JsonAuditSink.LOGGER_NAME, LoggingSettings.Level.INFO);
        synchronized (AuditLogHandler.class) {
            for (Handler h : logger.getHandlers()) {
                if (h instanceof AuditLogHandler) {
                    logger.removeHandler(h);
                }
            }
            AuditLogHandler handler = new AuditLogHandler(out);
            boolean parents = logger.getUseParentHandlers();
            Level level = logger.getLevel();
            logger.addHandler(handler);
            logger.setUseParentHandlers(false);
            if (level == null || level.intValue() > Level.INFO.intValue()) {
                logger.setLevel(Level.INFO);
            }
            return new Installation(logger, handler, parents, level);
        }
    }

    /** An installed handler; {@link #close()} removes it and restores the logger's settings. */
    public static final class Installation implements AutoCloseable {
        private final Logger logger;
        private final AuditLogHandler handler;
        private final boolean useParentHandlers;
        private final Level level;

        private Installation(Logger logger, AuditLogHandler handler, boolean useParentHandlers, Level level) {
            this.logger = logger;
            this.handler = handler;
            this.useParentHandlers = useParentHandlers;
            this.level = level;
        }

        @Override
        public void close() {
            synchronized (AuditLogHandler.class) {
                logger.removeHandler(handler);
                logger.setUseParentHandlers(useParentHandlers);
                logger.setLevel(level);
                handler.flush();
            }
        }
    }

    @Override
    public void publish(LogRecord record) {
        if (!isLoggable(record)) {
            return;
        }
        String line = getFormatter().format(record);
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        synchronized (out) {
            out.write(bytes, 0, bytes.length);
            out.flush();
        }
    }

    @Override
    public void flush() {
        out.flush();
    }

    /** Flushes; the stream (standard output) stays open. */
    @Override
    public void close() {
        flush();
    }
}
