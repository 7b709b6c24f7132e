package io.tokenservice.server;

/**
 * The server cannot start: the one line to log ({@link #getMessage()}, never a secret) and the process
 * exit code ({@link Main#EXIT_CONFIG} for configuration, {@link Main#EXIT_START} for other failures).
 */
public final class StartupException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    public StartupException(String message, int exitCode) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
