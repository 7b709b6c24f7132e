package io.tokenservice.gateway.config;

import io.tokenservice.env.Environment;
import io.tokenservice.env.EnvironmentException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Everything the gateway runs with, read from the environment ({@code .env} in the working directory
 * supplies what the process environment lacks, as for the server). Immutable.
 *
 * @param bindAddress the interface to listen on; empty = all interfaces
 * @param port the gateway's port; 0 = any free port
 * @param backendTarget the token server, a gRPC target such as {@code localhost:50051}
 * @param backendTls how the gateway connects to the token server
 * @param tls the gateway's own certificate and key; empty = plaintext (HTTP/1.1 and h2c)
 * @param corsOrigins origins allowed to call from a browser ({@code *} = any); empty = no CORS
 * @param staticDir a directory served at {@code /}; empty = the page packaged in the jar, if any
 * @param callTimeout the longest a forwarded call may wait for the token server
 * @param shutdownGrace how long a stop waits for calls in flight
 * @param adminPort the admin port serving Prometheus metrics at {@code /metrics} ({@code ADMIN_PORT}); empty = none
 * @param adminBindAddress the admin port's address ({@code ADMIN_BIND_ADDRESS}, default 127.0.0.1)
 */
public record GatewayConfig(
        Optional<String> bindAddress,
        int port,
        String backendTarget,
        BackendTls backendTls,
        Optional<TlsFiles> tls,
        List<String> corsOrigins,
        Optional<Path> staticDir,
        Duration callTimeout,
        Duration shutdownGrace,
        OptionalInt adminPort,
        String adminBindAddress) {

    public static final String ENV_PORT = "GATEWAY_PORT";
    public static final String ENV_BIND_ADDRESS = "GATEWAY_BIND_ADDRESS";
    public static final String ENV_BACKEND_TARGET = "TOKEN_SERVICE_TARGET";
    public static final String ENV_BACKEND_TLS = "TOKEN_SERVICE_TLS";
    public static final String ENV_BACKEND_CA = "TOKEN_SERVICE_TLS_CA_FILE";
    public static final String ENV_TLS_CERT = "GATEWAY_TLS_CERT_FILE";
    public static final String ENV_TLS_KEY = "GATEWAY_TLS_KEY_FILE";
    public static final String ENV_CORS_ORIGINS = "GATEWAY_CORS_ORIGINS";
    public static final String ENV_STATIC_DIR = "GATEWAY_STATIC_DIR";
    public static final String ENV_CALL_TIMEOUT = "GATEWAY_CALL_TIMEOUT_SECONDS";
    public static final String ENV_SHUTDOWN_GRACE = "GATEWAY_SHUTDOWN_GRACE_SECONDS";
    /** The same variables as the token server's admin port. */
    public static final String ENV_ADMIN_PORT = "ADMIN_PORT";
    public static final String ENV_ADMIN_BIND_ADDRESS = "ADMIN_BIND_ADDRESS";
    public static final String DEFAULT_ADMIN_BIND_ADDRESS = "127.0.0.1";

    public static final int DEFAULT_PORT = 8080;
    public static final String DEFAULT_BACKEND_TARGET = "localhost:50051";
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(20);
    /** The most a call may wait for the server: tokens take microseconds to mint. */
    static final long MAX_CALL_TIMEOUT_SECONDS = 300;
    static final long MAX_SHUTDOWN_GRACE_SECONDS = 3600;

    /** A PEM certificate chain and its PKCS#8 PEM private key. */
    public record TlsFiles(Path certificateChain, Path privateKey) {
        public TlsFiles {
            Objects.requireNonNull(certificateChain, "certificateChain");
            Objects.requireNonNull(privateKey, "privateKey");
        }
    }

    /**
     * TLS to the token server: off, on with the JDK's trusted roots, or on trusting only the CAs of a PEM
     * file.
     */
    public record BackendTls(boolean enabled, Optional<Path> trustedCas) {
        public static final BackendTls PLAINTEXT = new BackendTls(false, Optional.empty());

        public BackendTls {
            if (!enabled && trustedCas.isPresent()) {
                throw new IllegalArgumentException("trusted CAs without TLS");
            }
        }
    }

    public GatewayConfig {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(backendTarget, "backendTarget");
        Objects.requireNonNull(backendTls, "backendTls");
        Objects.requireNonNull(tls, "tls");
        corsOrigins = List.copyOf(corsOrigins);
        Objects.requireNonNull(staticDir, "staticDir");
        Objects.requireNonNull(callTimeout, "callTimeout");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        Objects.requireNonNull(adminPort, "adminPort");
        Objects.requireNonNull(adminBindAddress, "adminBindAddress");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port);
        }
        if (callTimeout.isNegative() || callTimeout.isZero()) {
            throw new IllegalArgumentException("callTimeout " + callTimeout);
        }
    }

    /**
     * The configuration {@code java -jar token-gateway.jar} runs with (see README, "Gateway").
     *
     * @throws EnvironmentException one line naming the variable and what is wrong, never its value
     */
    public static GatewayConfig fromEnvironment(Environment env) {
        int port = (int) env.integer(ENV_PORT, DEFAULT_PORT, 0, 65535);
        Optional<String> bind = env.get(ENV_BIND_ADDRESS).map(v -> {
            String host = v.text().strip();
            if (!host.matches("[0-9A-Za-z.:\\-\\[\\]%]+")) {
                throw new EnvironmentException(v.describe() + ": must be a host name or an IP address");
            }
            return host;
        });
        String target = env.get(ENV_BACKEND_TARGET).map(v -> {
            String text = v.text().strip();
            if (text.chars().anyMatch(Character::isWhitespace)) {
                throw new EnvironmentException(v.describe() + ": must be a gRPC target such as host:port, without spaces");
            }
            return text;
        }).orElse(DEFAULT_BACKEND_TARGET);
        return new GatewayConfig(bind, port, target, backendTls(env), gatewayTls(env), corsOrigins(env),
                staticDir(env),
                Duration.ofSeconds(env.integer(ENV_CALL_TIMEOUT, DEFAULT_CALL_TIMEOUT.toSeconds(), 1,
                        MAX_CALL_TIMEOUT_SECONDS)),
                Duration.ofSeconds(env.integer(ENV_SHUTDOWN_GRACE, DEFAULT_SHUTDOWN_GRACE.toSeconds(), 0,
                        MAX_SHUTDOWN_GRACE_SECONDS)),
                env.get(ENV_ADMIN_PORT).isPresent() ? OptionalInt.of((int) env.integer(ENV_ADMIN_PORT, 0, 0, 65535))
                        : OptionalInt.empty(),
                env.get(ENV_ADMIN_BIND_ADDRESS).map(v -> {
                    String address = v.text().strip();
                    if (!address.matches("[0-9.]+|[0-9a-fA-F:]*:[0-9a-fA-F:.]*")) {
                        throw new EnvironmentException(v.describe() + ": must be an IP address such as 127.0.0.1 or 0.0.0.0");
                    }
                    return address;
                }).orElse(DEFAULT_ADMIN_BIND_ADDRESS));
    }

    private static BackendTls backendTls(Environment env) {
        Optional<Path> ca = env.path(ENV_BACKEND_CA);
        ca.ifPresent(file -> requireReadableFile(env, ENV_BACKEND_CA, file));
        Optional<Boolean> flag = env.get(ENV_BACKEND_TLS).map(v -> switch (v.text().strip().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw new EnvironmentException(v.describe() + ": must be true or false");
        });
        if (ca.isPresent() && flag.isPresent() && !flag.get()) {
            throw new EnvironmentException(ENV_BACKEND_CA + " is set but " + ENV_BACKEND_TLS
                    + " is false: a CA file is only used for TLS; remove one of them");
        }
        boolean enabled = ca.isPresent() || flag.orElse(false);
        return new BackendTls(enabled, ca);
    }

    private static Optional<TlsFiles> gatewayTls(Environment env) {
        Optional<Path> cert = env.path(ENV_TLS_CERT);
        Optional<Path> key = env.path(ENV_TLS_KEY);
        if (cert.isPresent() != key.isPresent()) {
            throw new EnvironmentException((cert.isPresent() ? ENV_TLS_CERT : ENV_TLS_KEY) + " is set without "
                    + (cert.isPresent() ? ENV_TLS_KEY : ENV_TLS_CERT) + ": TLS needs both the certificate chain and the key");
        }
        if (cert.isEmpty()) {
            return Optional.empty();
        }
        requireReadableFile(env, ENV_TLS_CERT, cert.get());
        requireReadableFile(env, ENV_TLS_KEY, key.get());
        return Optional.of(new TlsFiles(cert.get(), key.get()));
    }

    /** Comma-separated {@code scheme://host[:port]} origins, or {@code *} alone for any origin. */
    private static List<String> corsOrigins(Environment env) {
        Optional<Environment.Variable> variable = env.get(ENV_CORS_ORIGINS);
        if (variable.isEmpty()) {
            return List.of();
        }
        List<String> origins = new ArrayList<>();
        for (String part : variable.get().text().split(",")) {
            String origin = part.strip();
            if (origin.isEmpty()) {
                continue;
            }
            if (!origin.equals("*") && !isOrigin(origin)) {
                throw new EnvironmentException(variable.get().describe() + ": each entry must be an origin such as "
                        + "https://app.example.com or http://localhost:5173 (scheme, host, optional port; no path), or * alone");
            }
            origins.add(origin.toLowerCase(Locale.ROOT));
        }
        if (origins.contains("*") && origins.size() > 1) {
            throw new EnvironmentException(variable.get().describe() + ": * allows every origin and cannot be combined with others");
        }
        return origins;
    }

    private static boolean isOrigin(String text) {
        try {
            URI uri = new URI(text);
            return ("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
                    && uri.getHost() != null && uri.getRawUserInfo() == null
                    && (uri.getRawPath() == null || uri.getRawPath().isEmpty())
                    && uri.getRawQuery() == null && uri.getRawFragment() == null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static Optional<Path> staticDir(Environment env) {
        Optional<Path> dir = env.path(ENV_STATIC_DIR);
        dir.ifPresent(d -> {
            if (!Files.isDirectory(d)) {
                throw new EnvironmentException(describe(env, ENV_STATIC_DIR) + ": " + d + " is not a directory");
            }
        });
        return dir;
    }

    private static void requireReadableFile(Environment env, String name, Path file) {
        if (!Files.isRegularFile(file)) {
            throw new EnvironmentException(describe(env, name) + ": " + file + ": file not found");
        }
        if (!Files.isReadable(file)) {
            throw new EnvironmentException(describe(env, name) + ": " + file + ": permission denied");
        }
    }

    private static String describe(Environment env, String name) {
        return env.get(name).map(Environment.Variable::describe).orElse(name);
    }

    /** The plaintext or TLS scheme of the gateway's own port. */
    public String scheme() {
        return tls.isPresent() ? "https" : "http";
    }
}
