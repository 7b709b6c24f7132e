package io.tokenservice.server.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/** Captures java.util.logging records (of every level) from a logger tree while open. */
public final class LogCapture extends Handler implements AutoCloseable {
    private final Logger logger;
    private final Level previousLevel;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
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

    public static LogCapture of(String loggerName) {
        return new LogCapture(Logger.getLogger(loggerName));
    }

    public void onRecord(Consumer<LogRecord> listener) {
        listeners.add(listener);
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
        listeners.forEach(listener -> listener.accept(record));
    }

    public List<LogRecord> records() {
        return List.copyOf(records);
    }

    /** Each record as a log line would show it: message with parameters, and any exception with its trace. */
    public List<String> lines() {
        SimpleFormatter formatter = new SimpleFormatter();
        List<String> lines = new ArrayList<>();
        for (LogRecord record : records) {
            lines.add(formatter.format(record));
        }
        return lines;
    }

    public List<String> messages(Level level) {
        SimpleFormatter formatter = new SimpleFormatter();
        List<String> messages = new ArrayList<>();
        for (LogRecord record : records) {
            if (record.getLevel().equals(level)) {
                messages.add(formatter.formatMessage(record));
            }
        }
        return messages;
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
        logger.removeHandler(this);
        logger.setLevel(previousLevel);
    }
}
