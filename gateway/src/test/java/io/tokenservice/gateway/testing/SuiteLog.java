package io.tokenservice.gateway.testing;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;
import org.slf4j.LoggerFactory;

/**
 * Every log line written while the gateway's tests run: all Logback events at every level (Armeria and
 * netty log there through slf4j; the root is set to ALL for the run while the console keeps the configured
 * level), all java.util.logging records at every level (grpc-java; the root is set to ALL too), everything on
 * standard output and error, and the output of the token-server and gateway processes the tests start
 * ({@link #add}). {@code EveryLogLineOfTheGatewaySuiteTest} runs last and checks it.
 *
 * <p>A JUnit Platform {@link LauncherSessionListener}, so it is in place before the first test class loads.
 */
public final class SuiteLog implements LauncherSessionListener {
    private static final ConcurrentLinkedQueue<String> LINES = new ConcurrentLinkedQueue<>();
    private static final Handler HANDLER = new Handler() {
        private final SimpleFormatter formatter = new SimpleFormatter();

        @Override
        public void publish(LogRecord record) {
            LINES.add(formatter.format(record));
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    private static final AppenderBase<ILoggingEvent> APPENDER = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            String line = event.getLevel() + " " + event.getLoggerName() + " - " + event.getFormattedMessage();
            LINES.add(event.getThrowableProxy() == null ? line
                    : line + System.lineSeparator() + ThrowableProxyUtil.asString(event.getThrowableProxy()));
        }
    };
    private static volatile boolean installed;
    private static ch.qos.logback.classic.Level originalLogbackLevel;
    private static PrintStream originalOut;
    private static PrintStream originalErr;
    private static Level originalRootLevel;

    @Override
    public synchronized void launcherSessionOpened(LauncherSession session) {
        if (installed) {
            return;
        }
        Logger root = Logger.getLogger("");
        originalRootLevel = root.getLevel();
        HANDLER.setLevel(Level.ALL);
        root.setLevel(Level.ALL);
        root.addHandler(HANDLER);
        ch.qos.logback.classic.Logger logbackRoot = logbackRoot();
        originalLogbackLevel = logbackRoot.getLevel();
        ThresholdFilter consoleLevel = new ThresholdFilter();
        consoleLevel.setLevel(originalLogbackLevel.levelStr);
        consoleLevel.start();
        logbackRoot.iteratorForAppenders().forEachRemaining(appender -> appender.addFilter(consoleLevel));
        APPENDER.setContext(logbackRoot.getLoggerContext());
        APPENDER.start();
        logbackRoot.setLevel(ch.qos.logback.classic.Level.ALL);
        logbackRoot.addAppender(APPENDER);
        originalOut = System.out;
        originalErr = System.err;
        System.setOut(tee(originalOut, "[stdout] "));
        System.setErr(tee(originalErr, "[stderr] "));
        installed = true;
    }

    @Override
    public synchronized void launcherSessionClosed(LauncherSession session) {
        if (!installed) {
            return;
        }
        Logger root = Logger.getLogger("");
        root.removeHandler(HANDLER);
        root.setLevel(originalRootLevel);
        ch.qos.logback.classic.Logger logbackRoot = logbackRoot();
        logbackRoot.detachAppender(APPENDER);
        logbackRoot.setLevel(originalLogbackLevel);
        System.setOut(originalOut);
        System.setErr(originalErr);
        installed = false;
    }

    private static ch.qos.logback.classic.Logger logbackRoot() {
        return ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    public static boolean installed() {
        return installed;
    }

    public static List<String> lines() {
        return List.copyOf(LINES);
    }

    /** Output this JVM's loggers and streams do not see: a child process's. */
    public static void add(String source, String line) {
        LINES.add("[" + source + "] " + line);
    }

    private static PrintStream tee(PrintStream target, String prefix) {
        Charset charset = Charset.defaultCharset();
        OutputStream capture = new OutputStream() {
            private final ByteArrayOutputStream line = new ByteArrayOutputStream();

            @Override
            public synchronized void write(int b) {
                target.write(b);
                if (b == '\n') {
                    LINES.add(prefix + line.toString(charset));
                    line.reset();
                } else {
                    line.write(b);
                }
            }

            @Override
            public synchronized void write(byte[] b, int off, int len) {
                for (int i = off; i < off + len; i++) {
                    write(b[i]);
                }
            }

            @Override
            public void flush() {
                target.flush();
            }
        };
        return new PrintStream(capture, true, charset);
    }
}
