package io.tokenservice.server.transport;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.logging.Filter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Keeps what clients do to the HTTP/2 transport from flooding the log: gRPC's Netty transport logs a
 * WARNING with a stack trace for every oversized message ("Exception processing message"), every stream
 * refused or reset by a protocol error ("Stream Error"), an INFO with a stack trace for many failed
 * connections ("Transport failed"), so any client could write a stack trace per request. Installed on
 * those loggers ({@link #install()}), this filter turns their INFO-and-above records into one line without
 * stack trace per cause (logger, message, exception class), at most once per interval (a minute), the next
 * one saying how many were left out. FINE and below pass unchanged (they are off unless an operator asks).
 */
public final class TransportLogThrottle implements Filter {
    /** The transport's loggers that write per-request records (shaded and plain grpc-netty). */
    public static final List<String> TRANSPORT_LOGGERS = List.of(
            "io.grpc.netty.shaded.io.grpc.netty.NettyServerHandler",
            "io.grpc.netty.shaded.io.grpc.netty.NettyServerStream",
            "io.grpc.netty.shaded.io.grpc.netty.NettyServerTransport.connections",
            "io.grpc.netty.NettyServerHandler",
            "io.grpc.netty.NettyServerStream",
            "io.grpc.netty.NettyServerTransport.connections");
    static final long INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);
    /** More distinct causes than this share one entry per logger and level. */
    private static final int MAX_CAUSES = 256;
    private static final int MAX_DETAIL_CHARS = 200;
    /** gRPC formats some messages before logging them, e.g. with the TE header a client sent. */
    private static final int TEMPLATE_CHARS = 32;
    /** Strong references: java.util.logging forgets the filter of a logger that is garbage collected. */
    private static final List<Logger> INSTALLED = new ArrayList<>();

    private record Cause(long firstNanos, AtomicLong suppressed) {}

    private final Filter next;
    private final LongSupplier nanoTime;
    private final Map<String, Cause> causes = new ConcurrentHashMap<>();

    TransportLogThrottle(Filter next, LongSupplier nanoTime) {
        this.next = next;
        this.nanoTime = nanoTime;
    }

    /**
     * Puts the throttle in front of whatever filter each transport logger has (the credential redaction,
     * for one). Once per logger: later calls change nothing.
     */
    public static synchronized void install() {
        for (String name : TRANSPORT_LOGGERS) {
            Logger logger = Logger.getLogger(name);
            if (!INSTALLED.contains(logger)) {
                logger.setFilter(new TransportLogThrottle(logger.getFilter(), System::nanoTime));
                INSTALLED.add(logger);
            }
        }
    }

    @Override
    public boolean isLoggable(LogRecord record) {
        if (record.getLevel().intValue() < Level.INFO.intValue()) {
            return next == null || next.isLoggable(record);
        }
        Throwable thrown = record.getThrown();
        String key = record.getLoggerName() + '|' + record.getLevel() + '|' + template(record) + '|'
                + (thrown == null ? "" : thrown.getClass().getName());
        if (!causes.containsKey(key) && causes.size() >= MAX_CAUSES) {
            key = record.getLoggerName() + '|' + record.getLevel();
        }
        long now = nanoTime.getAsLong();
        Cause cause = causes.get(key);
        long suppressed = 0;
        if (cause != null && now - cause.firstNanos() < INTERVAL_NANOS) {
            cause.suppressed().incrementAndGet();
            return false;
        }
        Cause fresh = new Cause(now, new AtomicLong());
        if (cause == null ? causes.putIfAbsent(key, fresh) != null : !causes.replace(key, cause, fresh)) {
            Cause winner = causes.get(key);
            if (winner != null) {
                winner.suppressed().incrementAndGet();
            }
            return false;
        }
        if (cause != null) {
            suppressed = cause.suppressed().get();
        }
        record.setMessage(summary(record, thrown, suppressed));
        record.setParameters(null);
        record.setThrown(null);
        return next == null || next.isLoggable(record);
    }

    /** The start of the message: enough to tell causes apart, not what a client put into it. */
    private static String template(LogRecord record) {
        String message = String.valueOf(record.getMessage());
        return message.length() <= TEMPLATE_CHARS ? message : message.substring(0, TEMPLATE_CHARS);
    }

    private static String summary(LogRecord record, Throwable thrown, long suppressed) {
        StringBuilder b = new StringBuilder(clean(formatted(record)));
        if (thrown != null) {
            b.append(": ").append(thrown.getClass().getSimpleName());
            if (thrown.getMessage() != null) {
                b.append(": ").append(clean(thrown.getMessage()));
            }
        }
        b.append(" (logged once a minute at most, without stack trace");
        if (suppressed > 0) {
            b.append("; ").append(suppressed).append(" more since the last such line");
        }
        return b.append(')').toString();
    }

    private static String formatted(LogRecord record) {
        String message = record.getMessage();
        if (message == null) {
            return "";
        }
        Object[] parameters = record.getParameters();
        if (parameters == null || parameters.length == 0 || !message.contains("{")) {
            return message;
        }
        try {
            return java.text.MessageFormat.format(message, parameters);
        } catch (IllegalArgumentException e) {
            return message;
        }
    }

    /** One line, printable, bounded: transport messages may quote what a client sent. */
    private static String clean(String text) {
        String firstLine = text.lines().findFirst().orElse("");
        StringBuilder b = new StringBuilder(Math.min(firstLine.length(), MAX_DETAIL_CHARS));
        for (int i = 0; i < firstLine.length() && b.length() < MAX_DETAIL_CHARS; i++) {
            char c = firstLine.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        if (firstLine.length() > MAX_DETAIL_CHARS) {
            b.append("...");
        }
        return b.toString();
    }
}
