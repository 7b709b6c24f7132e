package io.tokenservice.server.testing;

import io.tokenservice.server.auth.CredentialRedactingFilter;
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

/**
 * Captures every log line written while the server's test suite runs: a handler on the root logger, which
 * is set to {@code ALL} for the whole run (every logger, every level, gRPC's and Netty's included), plus
 * everything written to {@code System.out} and {@code System.err}, plus the output of server processes
 * the tests start ({@link #add}). {@code EveryLogLineOfTheSuiteTest} runs last and checks it.
 *
 * <p>Registered as a JUnit Platform {@link LauncherSessionListener}
 * ({@code META-INF/services/org.junit.platform.launcher.LauncherSessionListener}), so it is in place
 * before the first test class is loaded. Like {@code Main}, it first installs the
 * {@link CredentialRedactingFilter} on gRPC's HTTP/2 frame loggers, which at FINE write every request
 * header.
 */
public final class SuiteLog implements LauncherSessionListener {
    private static final ConcurrentLinkedQueue<String> LINES = new ConcurrentLinkedQueue<>();
    private static volatile boolean installed;
    private static final Handler HANDLER = new Handler() {
        private final SimpleFormatter formatter = new SimpleFormatter();

        @Override
        public void publish(LogRecord record) {
            if (isLoggable(record)) {
                LINES.add(formatter.format(record));
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    private static PrintStream originalOut;
    private static PrintStream originalErr;
    private static Level originalRootLevel;

    @Override
    public synchronized void launcherSessionOpened(LauncherSession session) {
        if (installed) {
            return;
        }
        CredentialRedactingFilter.installOnFrameLoggers();
        Logger root = Logger.getLogger("");
        originalRootLevel = root.getLevel();
        HANDLER.setLevel(Level.ALL);
        root.setLevel(Level.ALL);
        root.addHandler(HANDLER);
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
        System.setOut(originalOut);
        System.setErr(originalErr);
        installed = false;
    }

    public static boolean installed() {
        return installed;
    }

    /** Every line captured so far. */
    public static List<String> lines() {
        return List.copyOf(LINES);
    }

    /** Adds output the root logger and this JVM's standard streams do not see (a child process's). */
    public static void add(String source, String line) {
        LINES.add("[" + source + "] " + line);
    }

    private static PrintStream tee(PrintStream target, String prefix) {
        Charset charset = Charset.defaultCharset();
        OutputStream lineCapture = new OutputStream() {
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
                target.write(b, off, len);
                for (int i = off; i < off + len; i++) {
                    if (b[i] == '\n') {
                        LINES.add(prefix + line.toString(charset));
                        line.reset();
                    } else {
                        line.write(b[i]);
                    }
                }
            }

            @Override
            public void flush() {
                target.flush();
            }
        };
        return new PrintStream(lineCapture, true, charset);
    }
}
