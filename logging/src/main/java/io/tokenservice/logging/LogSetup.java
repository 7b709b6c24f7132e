package io.tokenservice.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.jul.LevelChangePropagator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import io.tokenservice.env.Environment;
import io.tokenservice.env.EnvironmentException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * The application log: Logback writing to standard error, one JSON object per line ({@link JsonLineEncoder}:
 * {@code @timestamp}, {@code level}, {@code logger_name}, {@code thread_name}, {@code message},
 * {@code stack_trace}) or plain lines ({@code time LEVEL logger - message}), at the configured level. The code
 * logs with {@code java.util.logging}, as grpc-java does; {@link #bridgeJavaUtilLogging} sends all of it here.
 * The audit log is not part of this: it has a stream of its own (standard output). The server and the gateway
 * both log this way, with the same variables and values.
 */
public final class LogSetup {
    /** The least severe level written: ERROR, WARN, INFO (default), DEBUG or TRACE. */
    public static final String LOG_LEVEL = "LOG_LEVEL";
    /** json, plain or auto (default: plain with a terminal, JSON without). */
    public static final String LOG_FORMAT = "LOG_FORMAT";
    static final String PLAIN_PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %level %logger - %msg%n";
    private static volatile boolean bridged;
    /** Loggers held at a level whatever the configuration says ({@link #holdAt}), kept across reconfigurations. */
    private static final Map<String, LoggingSettings.Level> HELD = new ConcurrentHashMap<>();

    private LogSetup() {}

    /**
     * Routes every {@code java.util.logging} record to Logback (replacing the JUL console handler), and keeps JUL's
     * levels in step with Logback's so that nothing below the level is even formatted.
     */
    public static synchronized void bridgeJavaUtilLogging() {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        bridged = true;
        apply(fromEnvironment(System.getenv()));
    }

    /** Whether {@link #bridgeJavaUtilLogging} ran ({@code java -jar}), so the configured settings apply. */
    public static boolean bridged() {
        return bridged;
    }

    /**
     * The settings {@code LOG_LEVEL} and {@code LOG_FORMAT} ask for, before the configuration is loaded; a value
     * that is not valid counts as unset here (the configuration's loading reports it).
     */
    public static LoggingSettings fromEnvironment(Map<String, String> env) {
        LoggingSettings defaults = LoggingSettings.defaults();
        return new LoggingSettings(
                parse(env.get(LOG_LEVEL), LoggingSettings.Level.class, defaults.level()),
                parse(env.get(LOG_FORMAT), LoggingSettings.Format.class, defaults.format()));
    }

    private static <E extends Enum<E>> E parse(String text, Class<E> type, E fallback) {
        return text == null ? fallback : LoggingSettings.choice(text, type).orElse(fallback);
    }

    /**
     * The settings {@code LOG_LEVEL} and {@code LOG_FORMAT} of {@code env} ask for (the gateway's whole logging
     * configuration).
     *
     * @throws EnvironmentException naming the variable, not quoting it, when a value is not one of the choices
     */
    public static LoggingSettings fromEnvironment(Environment env) {
        LoggingSettings defaults = LoggingSettings.defaults();
        return new LoggingSettings(
                strict(env, LOG_LEVEL, LoggingSettings.Level.class, defaults.level()),
                strict(env, LOG_FORMAT, LoggingSettings.Format.class, defaults.format()));
    }

    private static <E extends Enum<E>> E strict(Environment env, String name, Class<E> type, E fallback) {
        Optional<Environment.Variable> variable = env.get(name);
        if (variable.isEmpty()) {
            return fallback;
        }
        return LoggingSettings.choice(variable.get().text(), type).orElseThrow(() -> new EnvironmentException(
                variable.get().describe() + ": " + LoggingSettings.choices(type)));
    }

    /**
     * Holds {@code loggerName} (and the loggers under it) at {@code level} whatever {@code LOG_LEVEL} says, now and
     * after every later {@link #apply}: for loggers that would write credentials at a finer level (wire dumps).
     * With the bridge installed the level reaches java.util.logging too.
     */
    public static synchronized void holdAt(String loggerName, LoggingSettings.Level level) {
        HELD.put(loggerName, level);
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.getLogger(loggerName).setLevel(Level.toLevel(level.name()));
        }
    }

    /** Reconfigures Logback: one console appender on standard error, with {@code settings}' format and level. */
    public static synchronized void apply(LoggingSettings settings) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        configure(context, settings);
    }

    static void configure(LoggerContext context, LoggingSettings settings) {
        // A start asks three times (Logback's own initialisation, the bridge, the loaded configuration), nearly
        // always for the same settings: building the appender again and walking every java.util.logging logger for
        // the level propagator again would be start-up time spent for nothing. The marker lives in the context, so
        // a reset by anyone else forgets it.
        if (context.getObject(Applied.KEY) instanceof Applied applied && applied.is(settings, bridged)) {
            return;
        }
        context.reset();
        if (bridged) {
            LevelChangePropagator propagator = new LevelChangePropagator();
            propagator.setContext(context);
            propagator.setResetJUL(true);
            propagator.start();
            context.addListener(propagator);
        }

        Encoder<ILoggingEvent> encoder = json(settings.format()) ? new JsonLineEncoder() : plainEncoder();
        encoder.setContext(context);
        encoder.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("stderr");
        console.setTarget("System.err");
        console.setEncoder(encoder);
        console.start();

        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(settings.level().name()));
        root.addAppender(console);
        // The server's Redis client (Lettuce) logs every failed reconnect attempt; the shared rate limiter says an
        // outage once, both ways. Nothing else logs under this name.
        context.getLogger("io.lettuce.core").setLevel(Level.ERROR);
        HELD.forEach((name, level) -> context.getLogger(name).setLevel(Level.toLevel(level.name())));
        context.putObject(Applied.KEY, new Applied(settings.level(), settings.format(), bridged));
    }

    /**
     * What {@link #configure} set a context up with. Compared field by field: a record's own {@code equals} is
     * bootstrapped through method handles on its first call, which costs a start more than the whole comparison.
     */
    private record Applied(LoggingSettings.Level level, LoggingSettings.Format format, boolean bridged) {
        static final String KEY = Applied.class.getName();

        boolean is(LoggingSettings settings, boolean bridgedNow) {
            return level == settings.level() && format == settings.format() && bridged == bridgedNow;
        }
    }

    private static boolean json(LoggingSettings.Format format) {
        return switch (format) {
            case JSON -> true;
            case PLAIN -> false;
            case AUTO -> System.console() == null;
        };
    }

    private static Encoder<ILoggingEvent> plainEncoder() {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setPattern(PLAIN_PATTERN);
        return encoder;
    }
}
