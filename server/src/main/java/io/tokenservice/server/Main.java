package io.tokenservice.server;

import io.tokenservice.server.config.ConfigException;
import io.tokenservice.server.config.ServerConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.logging.Logger;

/**
 * {@code java -jar token-server.jar}: configuration from the environment (see README), one clear log
 * line and exit code 2 on bad configuration, graceful shutdown on SIGTERM/SIGINT.
 */
public final class Main {
    /** Exit code for configuration the server cannot start with. */
    public static final int EXIT_CONFIG = 2;
    /** Exit code for other start-up failures (e.g. the port is taken). */
    public static final int EXIT_START = 1;

    private Main() {}

    /** A start-up failure with the one line to log and the exit code. */
    static final class StartupException extends Exception {
        private static final long serialVersionUID = 1L;
        private final int exitCode;

        StartupException(String message, int exitCode) {
            super(message, null, false, false);
            this.exitCode = exitCode;
        }

        int exitCode() {
            return exitCode;
        }
    }

    public static void main(String[] args) {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null
                && System.getProperty("java.util.logging.config.file") == null) {
            // One line per record: time, level, logger, message.
            System.setProperty("java.util.logging.SimpleFormatter.format",
                    "%1$tFT%1$tT.%1$tLZ %4$s %3$s - %5$s%6$s%n");
        }
        if (System.getProperty("java.util.logging.manager") == null) {
            System.setProperty("java.util.logging.manager", ShutdownSafeLogManager.class.getName());
        }
        Logger log = Logger.getLogger(Main.class.getName());
        TokenServer server;
        try {
            server = launch(System.getenv(), Path.of("").toAbsolutePath());
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

    /**
     * Loads the configuration from {@code env} (and {@code workingDir/.env}), starts the server and logs
     * how it runs (and, for the development default, that its tokens are useless against Agora).
     */
    static TokenServer launch(Map<String, String> env, Path workingDir) throws StartupException {
        Logger log = Logger.getLogger(Main.class.getName());
        ServerConfig config;
        try {
            config = ServerConfig.fromEnvironment(env, workingDir);
        } catch (ConfigException e) {
            throw new StartupException("configuration error: " + e.getMessage(), EXIT_CONFIG);
        }
        if (config.developmentDefault()) {
            log.warning("DEVELOPMENT MODE: no app configured (APP_ID + APP_CERTIFICATE, APP_CERTIFICATE_FILE, "
                    + ".env or TOKEN_SERVICE_CONFIG), so this server made up a throw-away app "
                    + config.apps().appIds().get(0) + " with a random certificate. AGORA WILL REJECT EVERY TOKEN "
                    + "IT ISSUES (error 110). Use it only to try the API; set APP_ID and APP_CERTIFICATE for real tokens.");
        }
        TokenServer server;
        try {
            server = TokenServer.start(config);
        } catch (ConfigException e) {
            throw new StartupException("configuration error: " + e.getMessage(), EXIT_CONFIG);
        } catch (IOException e) {
            throw new StartupException("cannot listen on port " + config.grpcPort() + ": "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()), EXIT_START);
        }
        log.info("token server listening on port " + server.port() + " (" + config + ")");
        return server;
    }
}
