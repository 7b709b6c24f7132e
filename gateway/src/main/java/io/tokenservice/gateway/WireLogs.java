package io.tokenservice.gateway;

import io.tokenservice.logging.LogSetup;
import io.tokenservice.logging.LoggingSettings;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The loggers that dump HTTP/2 frames or raw bytes, request headers included, so the caller's
 * {@code authorization} too: Armeria's traffic loggers (TRACE) and grpc-netty's client frame logger
 * (FINE). They are held at INFO whatever the log configuration says, so no credential reaches a log even
 * when an operator turns everything else up to debug: in Logback, where Armeria and grpc-netty-shaded's Netty write
 * through slf4j, and in java.util.logging, where a record is dropped before it reaches the bridge.
 */
final class WireLogs {
    static final List<String> LOGGERS = List.of(
            "com.linecorp.armeria.logging.traffic",
            "io.grpc.netty.shaded.io.grpc.netty.NettyClientHandler");
    /** Strong references: java.util.logging forgets the level of a logger that is garbage collected. */
    private static final List<Logger> HELD = LOGGERS.stream().map(Logger::getLogger).toList();

    private WireLogs() {}

    static void keepQuiet() {
        for (Logger logger : HELD) {
            logger.setLevel(Level.INFO);
            LogSetup.holdAt(logger.getName(), LoggingSettings.Level.INFO);
        }
    }
}
