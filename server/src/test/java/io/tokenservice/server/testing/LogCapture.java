package io.tokenservice.server.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Captures java.util.logging records of every level from a logger tree while open: the logger is set to
 * {@code ALL} (restored on close). Each record is kept and also formatted at once, as a handler would
 * write it (message with parameters, exception with its stack trace), so later changes to the record
 * cannot hide what was written. A filter set on the capture ({@link #setFilter}) applies as on any handler.
 *
 * <p>The suite-wide capture of every log line is {@link SuiteLog}; this one is for a test's own asserts.
 */
public final class LogCapture extends Handler implements AutoCloseable {
    private final SimpleFormatter formatter = new SimpleFormatter();
    private final Logger logger;
    private final Level previousLevel;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final List<Consumer<LogRecord>> listeners = new CopyOnWriteArrayList<>();

    private LogCapture(Logger logger) {
        this.logger = logger;
        this.previousLevel = logger.getLevel();
        setLevel(Level.ALL);
        logger.setLevel(Level.ALL);
        logger.addHandler(this);
    }

    /** Everything logged anywhere (the root logger), including gRPC's and Netty's own records. */
    public static LogCapture all() {
        return new LogCapture(Logger.getLogger(""));
    }

    /** What {@code loggerName} and the loggers below it write. */
    public static LogCapture of(String loggerName) {
        return new LogCapture(Logger.getLogger(loggerName));
    }

    public void onRecord(Consumer<LogRecord> listener) {
        listeners.add(listener);
    }

    @Override
    public void publish(LogRecord record) {
        if (!isLoggable(record)) {
            return;
        }
        records.add(record);
        lines.add(formatter.format(record));
        listeners.forEach(listener -> listener.accept(record));
    }

    public List<LogRecord> records() {
        return List.copyOf(records);
    }

    /** Each record as a log line would show it: message with parameters, and any exception with its trace. */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    /** The captured lines containing {@code text}. */
    public List<String> linesContaining(String text) {
        return lines.stream().filter(l -> l.contains(text)).toList();
    }

    /** The formatted messages (without time, logger or trace) of the records of {@code level}. */
    public List<String> messages(Level level) {
        return records.stream().filter(r -> r.getLevel().equals(level)).map(formatter::formatMessage).toList();
    }

    /**
     * The messages of {@code level} that {@code wanted} accepts, once there are at least {@code count} of them
     * (waiting up to 10 s): the audit is written by a thread of its own, after the call has returned.
     */
    public List<String> awaitMessages(Level level, Predicate<String> wanted, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<String> found = messages(level).stream().filter(wanted).toList();
        while (found.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
            found = messages(level).stream().filter(wanted).toList();
        }
        return found;
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
        logger.removeHandler(this);
        logger.setLevel(previousLevel);
    }
}
