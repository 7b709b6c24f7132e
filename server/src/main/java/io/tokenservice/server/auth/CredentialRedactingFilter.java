package io.tokenservice.server.auth;

import io.grpc.netty.shaded.io.netty.util.internal.logging.InternalLoggerFactory;
import io.grpc.netty.shaded.io.netty.util.internal.logging.JdkLoggerFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * A {@link java.util.logging.Filter} for log handlers that removes credentials from every record: the
 * value of an {@code authorization} header and any {@code Bearer <key>}. It never drops a record.
 *
 * <p>Needed because grpc-netty's HTTP/2 frame logger (loggers
 * {@code io.grpc.netty.shaded.io.grpc.netty.NettyServerHandler} / {@code NettyClientHandler}) writes
 * every request header, the API key included, when set to FINE/DEBUG. {@link #installOnFrameLoggers()}
 * puts it on those loggers themselves, so every handler (test captures included) only ever sees the
 * redacted record; it can also be set on handlers ({@code handler.setFilter(...)}).
 */
public final class CredentialRedactingFilter implements Filter {
    private static final Pattern CREDENTIALS = Pattern.compile(
            "(?i)(authorization\\s*[:=]\\s*)[^,\\]\\r\\n]*|(?i)\\bbearer\\s+[^\\s,\\]]+");
    private static final String REPLACEMENT = "[redacted]";
    /** The loggers of grpc-netty's HTTP/2 frame loggers (server and client side). */
    public static final List<String> FRAME_LOGGERS = List.of(
            "io.grpc.netty.shaded.io.grpc.netty.NettyServerHandler",
            "io.grpc.netty.shaded.io.grpc.netty.NettyClientHandler",
            "io.grpc.netty.NettyServerHandler",
            "io.grpc.netty.NettyClientHandler");
    /** Strong references: java.util.logging forgets the filter of a logger that is garbage collected. */
    private static final List<Logger> INSTALLED = new ArrayList<>();

    private final Filter next;

    public CredentialRedactingFilter() {
        this(null);
    }

    /** Redacts, then asks {@code next} (a handler's previous filter), if any. */
    public CredentialRedactingFilter(Filter next) {
        this.next = next;
    }

    @Override
    public boolean isLoggable(LogRecord record) {
        String message = record.getMessage();
        if (message != null) {
            String redacted = redact(message);
            if (!redacted.equals(message)) {
                record.setMessage(redacted);
            }
        }
        Object[] params = record.getParameters();
        if (params != null) {
            Object[] copy = null;
            for (int i = 0; i < params.length; i++) {
                if (params[i] != null) {
                    String p = String.valueOf(params[i]);
                    String r = redact(p);
                    if (!r.equals(p)) {
                        if (copy == null) {
                            copy = params.clone();
                        }
                        copy[i] = r;
                    }
                }
            }
            if (copy != null) {
                record.setParameters(copy);
            }
        }
        return next == null || next.isLoggable(record);
    }

    /**
     * Installs the filter on the {@link #FRAME_LOGGERS} (keeping any filter they had as {@code next}).
     * Idempotent; call once at startup, before any connection is accepted.
     */
    public static synchronized void installOnFrameLoggers() {
        // Netty (inside grpc-netty-shaded) would log through SLF4J when it is on the class path, past this filter:
        // keep it on java.util.logging, where the filter sits (the JUL bridge then forwards what it lets through).
        InternalLoggerFactory.setDefaultFactory(JdkLoggerFactory.INSTANCE);
        for (String name : FRAME_LOGGERS) {
            Logger logger = Logger.getLogger(name);
            // Once per logger: another filter may have been put in front of this one since.
            if (!INSTALLED.contains(logger)) {
                if (!(logger.getFilter() instanceof CredentialRedactingFilter)) {
                    logger.setFilter(new CredentialRedactingFilter(logger.getFilter()));
                }
                INSTALLED.add(logger);
            }
        }
    }

    /** {@code text} with authorization header values and bearer credentials replaced. */
    public static String redact(String text) {
        if (text.length() < 6) {
            return text;
        }
        return CREDENTIALS.matcher(text).replaceAll(m -> m.group(1) != null
                ? java.util.regex.Matcher.quoteReplacement(m.group(1)) + REPLACEMENT : REPLACEMENT);
    }
}
