package io.tokenservice.server;

import io.tokenservice.server.audit.AuditLogHandler;
import io.tokenservice.server.auth.CredentialRedactingFilter;
import java.nio.file.Path;
import java.util.logging.Logger;

/**
 * {@code java -jar token-server.jar}: configuration from the environment (see README), caller security
 * ({@link SecuredServer}), one clear log line and exit code 2 on bad configuration, graceful shutdown on
 * SIGTERM/SIGINT.
 *
 * <p>Streams: the application log goes to standard error; the audit log (one JSON object per line) and
 * the development key, if one is generated, go to standard output.
 */
public final class Main {
    /** Exit code for configuration the server cannot start with. */
    public static final int EXIT_CONFIG = 2;
    /** Exit code for other start-up failures (e.g. the port is taken). */
    public static final int EXIT_START = 1;

    private Main() {}

    public static void main(String[] args) {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null
                && System.getProperty("java.util.logging.config.file") == null) {
            // One line per record: time, level, logger, message.
            System.setProperty("java.util.logging.SimpleFormatter.format",
                    "%1$tFT%1$tT.%1$tL%1$tz %4$s %3$s - %5$s%6$s%n");
        }
        if (System.getProperty("java.util.logging.manager") == null) {
            System.setProperty("java.util.logging.manager", ShutdownSafeLogManager.class.getName());
        }
        // Before any logger is configured or connection accepted: no API key in a frame log, ever.
        CredentialRedactingFilter.installOnFrameLoggers();
        Logger log = Logger.getLogger(Main.class.getName());
        AuditLogHandler.install(System.out);
        SecuredServer server;
        try {
            server = SecuredServer.start(System.getenv(), Path.of("").toAbsolutePath(), System.out, true);
        } catch (StartupException e) {
            log.severe(e.getMessage());
            System.exit(e.exitCode());
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("shutting down: draining in-flight calls for up to "
                    + server.config().shutdownGrace().toSeconds() + " s");
            server.close();
            log.info("stopped");
        }, "token-server-shutdown"));
        try {
            server.awaitTermination();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.close();
        }
    }
}
