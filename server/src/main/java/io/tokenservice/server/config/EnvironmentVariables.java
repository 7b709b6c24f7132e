package io.tokenservice.server.config;

import io.tokenservice.logging.LogSetup;

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
    /**
     * The rate limit of every caller without one of its own: {@code 500} (per second, burst twice that) or
     * {@code 500/1000} (per second / burst). Overrides {@code security.default_rate_limit}.
     */
    public static final String TOKEN_SERVICE_RATE_LIMIT = "TOKEN_SERVICE_RATE_LIMIT";
    /** Overrides {@code security.deny_list.path}. */
    public static final String TOKEN_SERVICE_DENY_LIST = "TOKEN_SERVICE_DENY_LIST";
    /**
     * The JWT quick start: with an issuer, an audience (comma-separated for several) and a JWK set (a file or an
     * HTTPS URL), JWTs of that issuer authenticate as caller {@code end-user}, bound to their {@code sub}.
     */
    public static final String TOKEN_SERVICE_JWT_ISSUER = "TOKEN_SERVICE_JWT_ISSUER";
    public static final String TOKEN_SERVICE_JWT_AUDIENCE = "TOKEN_SERVICE_JWT_AUDIENCE";
    public static final String TOKEN_SERVICE_JWT_JWKS_FILE = "TOKEN_SERVICE_JWT_JWKS_FILE";
    public static final String TOKEN_SERVICE_JWT_JWKS_URL = "TOKEN_SERVICE_JWT_JWKS_URL";

    /** Override the keys of the {@code transport:} section (see {@link TransportSettings}), one each. */
    public static final String MAX_CONCURRENT_CALLS_PER_CONNECTION = "MAX_CONCURRENT_CALLS_PER_CONNECTION";
    public static final String MAX_PUBLIC_CALLS_PER_CONNECTION = "MAX_PUBLIC_CALLS_PER_CONNECTION";
    public static final String MAX_REQUEST_BYTES = "MAX_REQUEST_BYTES";
    public static final String MAX_HEADER_LIST_BYTES = "MAX_HEADER_LIST_BYTES";
    public static final String FIRST_MESSAGE_TIMEOUT_SECONDS = "FIRST_MESSAGE_TIMEOUT_SECONDS";
    public static final String MAX_CONNECTION_IDLE_SECONDS = "MAX_CONNECTION_IDLE_SECONDS";
    public static final String MAX_CONNECTION_AGE_SECONDS = "MAX_CONNECTION_AGE_SECONDS";
    public static final String MAX_CONNECTION_AGE_GRACE_SECONDS = "MAX_CONNECTION_AGE_GRACE_SECONDS";
    public static final String PERMIT_KEEPALIVE_TIME_SECONDS = "PERMIT_KEEPALIVE_TIME_SECONDS";
    public static final String PERMIT_KEEPALIVE_WITHOUT_CALLS = "PERMIT_KEEPALIVE_WITHOUT_CALLS";
    public static final String UNAUTHENTICATED_CONNECTION_TIMEOUT_SECONDS = "UNAUTHENTICATED_CONNECTION_TIMEOUT_SECONDS";
    public static final String MAX_UNAUTHENTICATED_CONNECTIONS = "MAX_UNAUTHENTICATED_CONNECTIONS";

    /** Overrides {@code redis.url}: rate limits shared by every replica, {@code redis[s]://[[user]:password@]host[:port][/db]}. */
    public static final String TOKEN_SERVICE_REDIS_URL = "TOKEN_SERVICE_REDIS_URL";
    /** Overrides {@code redis.password_file}: a file holding the Redis password (instead of the URL's). */
    public static final String TOKEN_SERVICE_REDIS_PASSWORD_FILE = "TOKEN_SERVICE_REDIS_PASSWORD_FILE";
    /** Overrides {@code redis.ca_file}: PEM certificates that sign the Redis server's, for {@code rediss://}. */
    public static final String TOKEN_SERVICE_REDIS_CA_FILE = "TOKEN_SERVICE_REDIS_CA_FILE";
    /** Overrides {@code redis.timeout_ms}: how long a call waits for Redis before its replica decides alone. */
    public static final String TOKEN_SERVICE_REDIS_TIMEOUT_MS = "TOKEN_SERVICE_REDIS_TIMEOUT_MS";

    /** Overrides {@code admin.port}: the admin HTTP port serving {@code /metrics}; off unless set. */
    public static final String ADMIN_PORT = "ADMIN_PORT";
    /** Overrides {@code admin.bind_address}. */
    public static final String ADMIN_BIND_ADDRESS = "ADMIN_BIND_ADDRESS";
    /** Overrides {@code logging.level}: ERROR, WARN, INFO, DEBUG or TRACE. */
    public static final String LOG_LEVEL = LogSetup.LOG_LEVEL;
    /** Overrides {@code logging.format}: json, plain or auto. */
    public static final String LOG_FORMAT = LogSetup.LOG_FORMAT;

    private EnvironmentVariables() {}
}
