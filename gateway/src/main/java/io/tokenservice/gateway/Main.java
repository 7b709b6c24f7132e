package io.tokenservice.gateway;

import io.tokenservice.env.Environment;
import io.tokenservice.env.EnvironmentException;
import io.tokenservice.env.ShutdownSafeLogManager;
import io.tokenservice.gateway.config.GatewayConfig;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;

/**
 * {@code java -jar token-gateway.jar}: configuration from the environment and {@code .env} (see README,
 * "Gateway"), one log line and exit code 2 on bad configuration, graceful stop on SIGTERM/SIGINT. The log
 * goes to standard error, one line per record, as the server's.
 */
public final class Main {
    /** Exit code for configuration the gateway cannot start with. */
    public static final int EXIT_CONFIG = 2;
    /** Exit code for other start-up failures (e.g. the port is taken). */
    public static final int EXIT_START = 1;

    private Main() {}

    public static void main(String[] args) {
        if (System.getProperty("java.util.logging.manager") == null) {
            System.setProperty("java.util.logging.manager", ShutdownSafeLogManager.class.getName());
        }
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null
                && System.getProperty("java.util.logging.config.file") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format",
                    "%1$tFT%1$tT.%1$tL%1$tz %4$s %3$s - %5$s%6$s%n");
        }
        Logger log = Logger.getLogger(Main.class.getName());
        Gateway gateway;
        try {
            gateway = Gateway.start(GatewayConfig.fromEnvironment(
                    Environment.load(System.getenv(), Path.of("").toAbsolutePath())));
        } catch (EnvironmentException e) {
            log.severe("configuration error: " + e.getMessage());
            System.exit(EXIT_CONFIG);
            return;
        } catch (RuntimeException e) {
            log.severe("cannot start: " + e.getMessage());
            System.exit(EXIT_START);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("shutting down: finishing calls in flight for up to "
                    + gateway.config().shutdownGrace().toSeconds() + " s");
            gateway.close();
            log.info("stopped");
            stopped.countDown();
        }, "token-gateway-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
