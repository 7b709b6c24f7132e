package io.tokenservice.env;

import java.util.logging.LogManager;

/**
 * The JDK's LogManager closes every handler from its own shutdown hook, concurrently with the server's (or the
 * gateway's) graceful-shutdown hook, so the "shutting down" and "stopped" lines would be lost. This one ignores
 * that reset; the handlers flush each record anyway. Installed by the server's and the gateway's {@code Main}
 * only, through the system property {@code java.util.logging.manager}, before the first logger is made.
 */
public final class ShutdownSafeLogManager extends LogManager {
    @Override
    public void reset() {
        if (!shuttingDown()) {
            super.reset();
        }
    }

    private static boolean shuttingDown() {
        Thread probe = new Thread(() -> { });
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }
}
