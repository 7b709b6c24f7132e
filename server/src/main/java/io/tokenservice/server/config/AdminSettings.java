package io.tokenservice.server.config;

import java.util.OptionalInt;

/**
 * The admin HTTP port ({@code admin:}): Prometheus metrics at {@code /metrics}.
 *
 * @param port the port; empty = no admin port (the default); 0 = any free port
 * @param bindAddress the address to listen on; by default {@value #DEFAULT_BIND_ADDRESS} (only this host can
 *     scrape): containers set {@code 0.0.0.0}
 */
public record AdminSettings(OptionalInt port, String bindAddress) {
    public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";

    public static AdminSettings off() {
        return new AdminSettings(OptionalInt.empty(), DEFAULT_BIND_ADDRESS);
    }
}
