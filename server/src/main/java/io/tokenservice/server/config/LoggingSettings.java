package io.tokenservice.server.config;

import java.util.Locale;

/**
 * How the application log is written ({@code logging:}); it goes to standard error, the audit log to standard
 * output whatever these say.
 *
 * @param level the least severe level written
 * @param format one JSON object per line, plain text lines, or {@link Format#AUTO}
 */
public record LoggingSettings(Level level, Format format) {
    public enum Level {
        ERROR, WARN, INFO, DEBUG, TRACE
    }

    public enum Format {
        /** One JSON object per line (Logstash's field names): what a log pipeline reads. */
        JSON,
        /** {@code time LEVEL logger - message}: what a person reads in a terminal. */
        PLAIN,
        /** Plain when the process has a terminal, JSON otherwise (the default). */
        AUTO;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static LoggingSettings defaults() {
        return new LoggingSettings(Level.INFO, Format.AUTO);
    }
}
