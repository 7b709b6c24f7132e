package io.tokenservice.gateway;

import io.tokenservice.env.Environment;
import io.tokenservice.env.EnvironmentException;
import io.tokenservice.env.ShutdownSafeLogManager;
import io.tokenservice.gateway.config.GatewayConfig;
import io.tokenservice.logging.LogSetup;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;

/**
 * {@code java -jar token-gateway.jar}: configuration from the environment and {@code .env} (see README,
 * "Gateway"), one log line and exit code 2 on bad configuration, graceful stop on SIGTERM/SIGINT. The log
 * is the server's ({@link LogSetup}): standard error, JSON or plain lines, {@code LOG_LEVEL}, {@code LOG_FORMAT}.
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
        // Before the first logger: LOG_LEVEL/LOG_FORMAT of the process apply from the first line on.
        LogSetup.bridgeJavaUtilLogging();
        Logger log = Logger.getLogger(Main.class.getName());
        Gateway gateway;
        try {
            Environment env = Environment.load(System.getenv(), Path.of("").toAbsolutePath());
            // .env may set them too; a value that is not a choice is a configuration error, as on the server.
            LogSetup.apply(LogSetup.fromEnvironment(env));
            gateway = Gateway.start(GatewayConfig.fromEnvironment(env));
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
