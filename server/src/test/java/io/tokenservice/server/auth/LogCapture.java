package io.tokenservice.server.auth;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Captures every java.util.logging record published anywhere (root logger handler) while installed,
 * formatted as a handler would write it (message, parameters and stack traces included).
 */
public final class LogCapture extends Handler implements AutoCloseable {
    private final SimpleFormatter formatter = new SimpleFormatter();
    private final List<String> lines = new ArrayList<>();
    private final Logger root = Logger.getLogger("");

    public static LogCapture install() {
        LogCapture capture = new LogCapture();
        capture.setLevel(Level.ALL);
        capture.root.addHandler(capture);
        return capture;
    }

    @Override
    public synchronized void publish(LogRecord record) {
        if (!isLoggable(record)) {
            return;
        }
        lines.add(formatter.format(record));
    }

    public synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    /** The captured lines containing {@code secret}. */
    public synchronized List<String> linesContaining(String secret) {
        return lines.stream().filter(l -> l.contains(secret)).toList();
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
        root.removeHandler(this);
    }
}
