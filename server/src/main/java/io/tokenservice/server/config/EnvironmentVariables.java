package io.tokenservice.server.config;

/**
 * The environment variables the server reads (from the process environment, or a {@code .env} file in the
 * working directory for those it lacks), as the README documents them. Where the configuration file has the
 * same setting, the variable wins.
 */
public final class EnvironmentVariables {
    /** A YAML file holding the apps and the caller security (the whole file: see README). */
    public static final String TOKEN_SERVICE_CONFIG = "TOKEN_SERVICE_CONFIG";
    /** The single app, instead of a configuration file. */
    public static final String APP_ID = "APP_ID";
    public static final String APP_CERTIFICATE = "APP_CERTIFICATE";
    /** A file holding the App Certificate (Docker/Kubernetes secrets), instead of {@link #APP_CERTIFICATE}. */
    public static final String APP_CERTIFICATE_FILE = "APP_CERTIFICATE_FILE";
    /** The previous certificate during a rotation: verifies, never signs. */
    public static final String APP_CERTIFICATE_SECONDARY = "APP_CERTIFICATE_SECONDARY";
    public static final String APP_CERTIFICATE_SECONDARY_FILE = "APP_CERTIFICATE_SECONDARY_FILE";
    /** Overrides {@code grpc_port}. */
    public static final String GRPC_PORT = "GRPC_PORT";
    /** Overrides {@code renew_grace_seconds}. */
    public static final String RENEW_GRACE_SECONDS = "RENEW_GRACE_SECONDS";
    /** Overrides {@code shutdown_grace_seconds}. */
    public static final String SHUTDOWN_GRACE_SECONDS = "SHUTDOWN_GRACE_SECONDS";
    /** Override {@code tls.cert_file}, {@code tls.key_file} and {@code tls.client_ca_file}. */
    public static final String TLS_CERT_FILE = "TLS_CERT_FILE";
    public static final String TLS_KEY_FILE = "TLS_KEY_FILE";
    public static final String TLS_CLIENT_CA_FILE = "TLS_CLIENT_CA_FILE";
    /** Quick-start callers, {@code caller=key,caller2=key2}; with a security section, more keys for its callers. */
    public static final String TOKEN_SERVICE_API_KEYS = "TOKEN_SERVICE_API_KEYS";
    /** Overrides {@code security.deny_list.path}. */
    public static final String TOKEN_SERVICE_DENY_LIST = "TOKEN_SERVICE_DENY_LIST";

    /** Overrides {@code admin.port}: the admin HTTP port serving {@code /metrics}; off unless set. */
    public static final String ADMIN_PORT = "ADMIN_PORT";
    /** Overrides {@code admin.bind_address}. */
    public static final String ADMIN_BIND_ADDRESS = "ADMIN_BIND_ADDRESS";
    /** Overrides {@code logging.level}: ERROR, WARN, INFO, DEBUG or TRACE. */
    public static final String LOG_LEVEL = "LOG_LEVEL";
    /** Overrides {@code logging.format}: json, plain or auto. */
    public static final String LOG_FORMAT = "LOG_FORMAT";

    private EnvironmentVariables() {}
}
