package io.tokenservice.server;

import java.util.logging.LogManager;

/**
 * The JDK's LogManager closes every handler from its own shutdown hook, concurrently with the server's
 * graceful-shutdown hook, so the "shutting down" and "stopped" lines would be lost. This one ignores
 * that reset; the console handler flushes each record anyway. Installed by {@link Main} only.
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
