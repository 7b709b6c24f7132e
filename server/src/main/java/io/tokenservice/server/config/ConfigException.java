package io.tokenservice.server.config;

/**
 * Configuration the server cannot start with. The message is one line that names the setting (the
 * environment variable, the {@code .env} line or the YAML path) and says what is wrong with it; it
 * never contains a certificate or any other secret value.
 */
public final class ConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
