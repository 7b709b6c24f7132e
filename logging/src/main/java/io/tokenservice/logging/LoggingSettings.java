package io.tokenservice.logging;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * How the application log is written ({@code LOG_LEVEL}, {@code LOG_FORMAT}, and the server's {@code logging:}
 * section); it goes to standard error, the audit log to standard output whatever these say.
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

    /** The {@link Level} or {@link Format} {@code text} names, in any case; {@code warning} is {@code WARN}. */
    public static <E extends Enum<E>> Optional<E> choice(String text, Class<E> type) {
        String wanted = text.strip().toUpperCase(Locale.ROOT);
        if (wanted.equals("WARNING")) {
            wanted = "WARN";
        }
        for (E value : type.getEnumConstants()) {
            if (value.name().equals(wanted)) {
                return Optional.of(value);
            }
        }
        return Optional.empty();
    }

    /** What to say of a value {@link #choice} does not know (never the value itself). */
    public static String choices(Class<? extends Enum<?>> type) {
        return "must be one of " + Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "));
    }
}
