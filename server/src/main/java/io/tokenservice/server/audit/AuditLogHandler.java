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
 * <p>Each line is flushed as it is written; {@link #close()} only flushes, it never closes the stream. A line
 * the {@link JsonAuditSink} hands over directly ({@link #writeLine}) is encoded into a buffer the handler reuses,
 * so writing it allocates nothing.
 */
public final class AuditLogHandler extends Handler {
    /**
     * Held for the life of the class: java.util.logging keeps loggers only weakly, and an audit logger collected
     * between {@link #install} and its first use would come back without this handler, writing the audit into
     * the application log.
     */
    private static final Logger AUDIT_LOGGER = Logger.getLogger(JsonAuditSink.LOGGER_NAME);

    private static final byte[] LINE_SEPARATOR = System.lineSeparator().getBytes(StandardCharsets.UTF_8);
    /** Buffers larger than this are not kept for the next line. */
    private static final int KEPT_BUFFER_BYTES = 16_384;

    private final PrintStream out;
    private byte[] buffer = new byte[2048];

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

    /**
     * This handler, if it is where every record of {@code logger} goes and nothing filters them: the one handler
     * of a logger that does not pass records to its parents, without a filter on either; else null.
     */
    static AuditLogHandler soleHandlerOf(Logger logger) {
        if (logger.getUseParentHandlers() || logger.getFilter() != null) {
            return null;
        }
        Handler[] handlers = logger.getHandlers();
        if (handlers.length == 1 && handlers[0] instanceof AuditLogHandler handler && handler.getFilter() == null
                && handler.getLevel().intValue() <= Level.INFO.intValue()) {
            return handler;
        }
        return null;
    }

    /**
     * Writes {@code line} and a line separator as UTF-8, as {@link #publish} writes an INFO record with this
     * message, without making a {@code String} of it (a lone surrogate becomes {@code ?}, as in
     * {@link String#getBytes}).
     */
    void writeLine(CharSequence line) {
        synchronized (this) {
            int length = encode(line);
            synchronized (out) {
                out.write(buffer, 0, length);
                out.flush();
            }
            if (buffer.length > KEPT_BUFFER_BYTES) {
                buffer = new byte[2048];
            }
        }
    }

    private int encode(CharSequence line) {
        int worst = line.length() * 3 + LINE_SEPARATOR.length;
        if (buffer.length < worst) {
            buffer = new byte[worst];
        }
        byte[] b = buffer;
        int n = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c < 0x80) {
                b[n++] = (byte) c;
            } else if (c < 0x800) {
                b[n++] = (byte) (0xc0 | c >> 6);
                b[n++] = (byte) (0x80 | c & 0x3f);
            } else if (Character.isHighSurrogate(c) && i + 1 < line.length()
                    && Character.isLowSurrogate(line.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, line.charAt(++i));
                b[n++] = (byte) (0xf0 | cp >> 18);
                b[n++] = (byte) (0x80 | cp >> 12 & 0x3f);
                b[n++] = (byte) (0x80 | cp >> 6 & 0x3f);
                b[n++] = (byte) (0x80 | cp & 0x3f);
            } else if (Character.isSurrogate(c)) {
                b[n++] = '?';
            } else {
                b[n++] = (byte) (0xe0 | c >> 12);
                b[n++] = (byte) (0x80 | c >> 6 & 0x3f);
                b[n++] = (byte) (0x80 | c & 0x3f);
            }
        }
        System.arraycopy(LINE_SEPARATOR, 0, b, n, LINE_SEPARATOR.length);
        return n + LINE_SEPARATOR.length;
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
