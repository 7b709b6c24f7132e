package io.tokenservice.server;

import io.tokenservice.env.ShutdownSafeLogManager;
import io.tokenservice.server.auth.CredentialRedactingFilter;
import io.tokenservice.server.cli.Cli;

/**
 * {@code java -jar token-server.jar [COMMAND]}: the server ({@code serve}, the default) and the offline commands
 * ({@link Cli}).
 *
 * <p>Streams of {@code serve}: the application log goes to standard error; the audit log (one JSON object per
 * line) and the development key, if one is generated, go to standard output.
 */
public final class Main {
    /** Exit code for configuration the server cannot start with. */
    public static final int EXIT_CONFIG = Cli.CONFIG;
    /** Exit code for other start-up failures (e.g. the port is taken). */
    public static final int EXIT_START = 1;

    private Main() {}

    public static void main(String[] args) {
        if (System.getProperty("java.util.logging.manager") == null) {
            System.setProperty("java.util.logging.manager", ShutdownSafeLogManager.class.getName());
        }
        // Before any logger is configured or connection accepted: no API key in a frame log, ever.
        CredentialRedactingFilter.installOnFrameLoggers();
        int exit = Cli.run(args);
        if (exit != Cli.OK) {
            System.exit(exit);
        }
        // serve returns once a shutdown hook has stopped the server: the JVM is already exiting.
    }
}
