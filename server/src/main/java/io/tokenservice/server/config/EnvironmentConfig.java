package io.tokenservice.server.config;

import io.tokenservice.core.validation.InputRules;
import io.tokenservice.core.validation.InvalidTokenInputException;
import io.tokenservice.env.Environment;
import io.tokenservice.env.EnvironmentException;
import io.tokenservice.server.transport.TransportLimits;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@link ServerConfig#fromEnvironment}: environment variables over a {@code .env} file, the single-app
 * variables or the YAML file, and the generated development default when no app is configured.
 */
final class EnvironmentConfig {
    static final String GRPC_PORT = "GRPC_PORT";
    static final String APP_ID = "APP_ID";
    static final String APP_CERTIFICATE = "APP_CERTIFICATE";
    static final String APP_CERTIFICATE_FILE = "APP_CERTIFICATE_FILE";
    static final String APP_CERTIFICATE_SECONDARY = "APP_CERTIFICATE_SECONDARY";
    static final String APP_CERTIFICATE_SECONDARY_FILE = "APP_CERTIFICATE_SECONDARY_FILE";
    static final String TOKEN_SERVICE_CONFIG = "TOKEN_SERVICE_CONFIG";
    static final String RENEW_GRACE_SECONDS = "RENEW_GRACE_SECONDS";
    static final String SHUTDOWN_GRACE_SECONDS = "SHUTDOWN_GRACE_SECONDS";
    static final String TLS_CERT_FILE = "TLS_CERT_FILE";
    static final String TLS_KEY_FILE = "TLS_KEY_FILE";
    static final String TLS_CLIENT_CA_FILE = "TLS_CLIENT_CA_FILE";

    private static final String[] SINGLE_APP_VARIABLES = {APP_ID, APP_CERTIFICATE, APP_CERTIFICATE_FILE,
            APP_CERTIFICATE_SECONDARY, APP_CERTIFICATE_SECONDARY_FILE};

    /** A setting's value and how to name it in an error ("APP_ID" or "APP_ID (from /app/.env)"). */
    private record Value(String text, String name) {}

    private final Map<String, Value> values;
    private final Path workingDir;

    private EnvironmentConfig(Map<String, Value> values, Path workingDir) {
        this.values = values;
        this.workingDir = workingDir;
    }

    static ServerConfig load(Map<String, String> env, Path workingDir) {
        Environment environment = environment(env, workingDir);
        Map<String, Value> values = new HashMap<>();
        environment.asMap().keySet().forEach(name -> environment.get(name)
                .ifPresent(v -> values.put(name, new Value(v.text(), v.describe()))));
        return new EnvironmentConfig(values, environment.workingDir()).build();
    }

    /** The variables as the server sees them: {@code workingDir/.env} overlaid with {@code env}. */
    static Map<String, String> variables(Map<String, String> env, Path workingDir) {
        return environment(env, workingDir).asMap();
    }

    private static Environment environment(Map<String, String> env, Path workingDir) {
        try {
            return Environment.load(env, workingDir);
        } catch (EnvironmentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    private ServerConfig build() {
        ServerConfig.Builder builder = ServerConfig.builder();
        Optional<Value> configFile = get(TOKEN_SERVICE_CONFIG);
        boolean singleApp = false;
        for (String name : SINGLE_APP_VARIABLES) {
            singleApp |= get(name).isPresent();
        }
        YamlConfigFile.Settings yaml = null;
        if (configFile.isPresent()) {
            if (singleApp) {
                throw new ConfigException(TOKEN_SERVICE_CONFIG + " and " + APP_ID + "/" + APP_CERTIFICATE
                        + " are both set: configure the apps either in the YAML file or in the environment, not both");
            }
            Path file = workingDir.resolve(configFile.get().text().strip());
            yaml = YamlConfigFile.load(configFile.get().name(), file);
            yaml.apps().forEach(builder::app);
            builder.configFile(file);
        } else if (singleApp) {
            builder.app(singleApp());
        } else {
            builder.app(developmentApp()).developmentDefault(true);
        }

        Optional<String> yamlPort = yaml == null ? Optional.empty() : yaml.grpcPort();
        builder.grpcPort(number(GRPC_PORT, "grpcPort", yamlPort, ServerConfig.DEFAULT_GRPC_PORT, 0, 65535));
        Optional<String> yamlRenew = yaml == null ? Optional.empty() : yaml.renewGraceSeconds();
        builder.renewGrace(Duration.ofSeconds(number(RENEW_GRACE_SECONDS, "renewGraceSeconds", yamlRenew,
                (int) ServerConfig.DEFAULT_RENEW_GRACE.toSeconds(), 0, (int) ServerConfig.MAX_RENEW_GRACE.toSeconds())));
        Optional<String> yamlShutdown = yaml == null ? Optional.empty() : yaml.shutdownGraceSeconds();
        builder.shutdownGrace(Duration.ofSeconds(number(SHUTDOWN_GRACE_SECONDS, "shutdownGraceSeconds", yamlShutdown,
                (int) ServerConfig.DEFAULT_SHUTDOWN_GRACE.toSeconds(), 0, 3600)));
        tls(builder, yaml);
        builder.transportLimits(transportLimits(yaml == null ? Map.of() : yaml.transport()));
        return builder.build();
    }

    private AppKeys singleApp() {
        Value appId = get(APP_ID).orElseThrow(() -> new ConfigException(APP_ID + " is not set, but "
                + APP_CERTIFICATE + " or " + APP_CERTIFICATE_FILE + " is: set the App ID too"));
        hex32(appId.name(), appId.text().strip());
        String primary = certificate(APP_CERTIFICATE, APP_CERTIFICATE_FILE)
                .orElseThrow(() -> new ConfigException(appId.name() + " is set, but neither " + APP_CERTIFICATE
                        + " nor " + APP_CERTIFICATE_FILE + " is: set the App Certificate (Agora console, project settings)"));
        Optional<String> secondary = certificate(APP_CERTIFICATE_SECONDARY, APP_CERTIFICATE_SECONDARY_FILE);
        return secondary.isPresent()
                ? AppKeys.of(appId.text().strip(), primary, secondary.get())
                : AppKeys.of(appId.text().strip(), primary);
    }

    private Optional<String> certificate(String variable, String fileVariable) {
        Optional<Value> inline = get(variable);
        Optional<Value> file = get(fileVariable);
        if (inline.isPresent() && file.isPresent()) {
            throw new ConfigException(inline.get().name() + " and " + file.get().name()
                    + " are both set: set one of them");
        }
        if (inline.isPresent()) {
            String certificate = inline.get().text().strip();
            hex32(inline.get().name(), certificate);
            return Optional.of(certificate);
        }
        if (file.isPresent()) {
            Path path = workingDir.resolve(file.get().text().strip());
            String certificate = Files2.readSecret(file.get().name(), path);
            hex32(file.get().name() + " " + path + " (content)", certificate);
            return Optional.of(certificate);
        }
        return Optional.empty();
    }

    private void tls(ServerConfig.Builder builder, YamlConfigFile.Settings yaml) {
        Optional<Path> cert = path(TLS_CERT_FILE, yaml == null ? Optional.empty() : yaml.tlsCertFile());
        Optional<Path> key = path(TLS_KEY_FILE, yaml == null ? Optional.empty() : yaml.tlsKeyFile());
        Optional<Path> clientCa = path(TLS_CLIENT_CA_FILE, yaml == null ? Optional.empty() : yaml.tlsClientCaFile());
        if (cert.isPresent() != key.isPresent()) {
            throw new ConfigException(cert.isPresent()
                    ? TLS_CERT_FILE + " is set but " + TLS_KEY_FILE + " is not: TLS needs both"
                    : TLS_KEY_FILE + " is set but " + TLS_CERT_FILE + " is not: TLS needs both");
        }
        if (clientCa.isPresent() && cert.isEmpty()) {
            throw new ConfigException(TLS_CLIENT_CA_FILE + " is set but TLS is not: set "
                    + TLS_CERT_FILE + " and " + TLS_KEY_FILE + " too");
        }
        if (cert.isPresent()) {
            Files2.requireReadable(TLS_CERT_FILE, cert.get());
            Files2.requireReadable(TLS_KEY_FILE, key.get());
            builder.tls(cert.get(), key.get());
        }
        if (clientCa.isPresent()) {
            Files2.requireReadable(TLS_CLIENT_CA_FILE, clientCa.get());
            builder.tlsClientCa(clientCa.get());
        }
    }

    /** The environment (or .env) value wins over the YAML value, which wins over the default. */
    private Optional<Path> path(String variable, Optional<Path> fromYaml) {
        Optional<Value> value = get(variable);
        return value.isPresent() ? Optional.of(workingDir.resolve(value.get().text().strip())) : fromYaml;
    }

    private int number(String variable, String yamlKey, Optional<String> fromYaml, int defaultValue, int min, int max) {
        Optional<Value> value = get(variable);
        if (value.isPresent()) {
            return parse(value.get().name(), value.get().text().strip(), min, max);
        }
        return fromYaml.map(text -> parse(get(TOKEN_SERVICE_CONFIG).map(Value::text).orElse("config file")
                + ": " + yamlKey, text, min, max)).orElse(defaultValue);
    }

    private static int parse(String name, String text, int min, int max) {
        try {
            int number = Integer.parseInt(text);
            if (number >= min && number <= max) {
                return number;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigException(name + ": must be a whole number from " + min + " to " + max);
    }

    // ---- Transport limits (issue 9): each an environment variable over a key of the YAML transport: section.

    static final String MAX_CONCURRENT_CALLS_PER_CONNECTION = "MAX_CONCURRENT_CALLS_PER_CONNECTION";
    static final String MAX_PUBLIC_CALLS_PER_CONNECTION = "MAX_PUBLIC_CALLS_PER_CONNECTION";
    static final String MAX_REQUEST_BYTES = "MAX_REQUEST_BYTES";
    static final String MAX_HEADER_LIST_BYTES = "MAX_HEADER_LIST_BYTES";
    static final String FIRST_MESSAGE_TIMEOUT_SECONDS = "FIRST_MESSAGE_TIMEOUT_SECONDS";
    static final String MAX_CONNECTION_IDLE_SECONDS = "MAX_CONNECTION_IDLE_SECONDS";
    static final String MAX_CONNECTION_AGE_SECONDS = "MAX_CONNECTION_AGE_SECONDS";
    static final String MAX_CONNECTION_AGE_GRACE_SECONDS = "MAX_CONNECTION_AGE_GRACE_SECONDS";
    static final String PERMIT_KEEPALIVE_TIME_SECONDS = "PERMIT_KEEPALIVE_TIME_SECONDS";
    static final String PERMIT_KEEPALIVE_WITHOUT_CALLS = "PERMIT_KEEPALIVE_WITHOUT_CALLS";
    static final String UNAUTHENTICATED_CONNECTION_TIMEOUT_SECONDS = "UNAUTHENTICATED_CONNECTION_TIMEOUT_SECONDS";
    static final String MAX_UNAUTHENTICATED_CONNECTIONS = "MAX_UNAUTHENTICATED_CONNECTIONS";

    private TransportLimits transportLimits(Map<String, String> yaml) {
        TransportLimits d = TransportLimits.DEFAULTS;
        int maxSeconds = (int) TransportLimits.MAX_DURATION.toSeconds();
        TransportLimits.Builder limits = d.toBuilder()
                .maxConcurrentCallsPerConnection(limit(MAX_CONCURRENT_CALLS_PER_CONNECTION,
                        "maxConcurrentCallsPerConnection", yaml, d.maxConcurrentCallsPerConnection(), 1,
                        TransportLimits.MAX_CALLS_PER_CONNECTION))
                .maxPublicCallsPerConnection(limit(MAX_PUBLIC_CALLS_PER_CONNECTION, "maxPublicCallsPerConnection", yaml,
                        d.maxPublicCallsPerConnection(), 1, TransportLimits.MAX_CALLS_PER_CONNECTION))
                .maxRequestBytes(limit(MAX_REQUEST_BYTES, "maxRequestBytes", yaml, d.maxRequestBytes(),
                        TransportLimits.MIN_REQUEST_BYTES, TransportLimits.MAX_REQUEST_BYTES))
                .maxHeaderListBytes(limit(MAX_HEADER_LIST_BYTES, "maxHeaderListBytes", yaml, d.maxHeaderListBytes(),
                        TransportLimits.MIN_HEADER_LIST_BYTES, TransportLimits.MAX_HEADER_LIST_BYTES))
                .firstMessageTimeout(seconds(FIRST_MESSAGE_TIMEOUT_SECONDS, "firstMessageTimeoutSeconds", yaml,
                        d.firstMessageTimeout(), 1, maxSeconds))
                .maxConnectionIdle(seconds(MAX_CONNECTION_IDLE_SECONDS, "maxConnectionIdleSeconds", yaml,
                        d.maxConnectionIdle(), 0, maxSeconds))
                .maxConnectionAge(seconds(MAX_CONNECTION_AGE_SECONDS, "maxConnectionAgeSeconds", yaml,
                        d.maxConnectionAge(), 0, maxSeconds))
                .maxConnectionAgeGrace(seconds(MAX_CONNECTION_AGE_GRACE_SECONDS, "maxConnectionAgeGraceSeconds", yaml,
                        d.maxConnectionAgeGrace(), 0, maxSeconds))
                .permitKeepAliveTime(seconds(PERMIT_KEEPALIVE_TIME_SECONDS, "permitKeepAliveTimeSeconds", yaml,
                        d.permitKeepAliveTime(), 0, maxSeconds))
                .permitKeepAliveWithoutCalls(flag(PERMIT_KEEPALIVE_WITHOUT_CALLS, "permitKeepAliveWithoutCalls", yaml,
                        d.permitKeepAliveWithoutCalls()))
                .unauthenticatedConnectionTimeout(seconds(UNAUTHENTICATED_CONNECTION_TIMEOUT_SECONDS,
                        "unauthenticatedConnectionTimeoutSeconds", yaml, d.unauthenticatedConnectionTimeout(), 1,
                        maxSeconds))
                .maxUnauthenticatedConnections(limit(MAX_UNAUTHENTICATED_CONNECTIONS, "maxUnauthenticatedConnections",
                        yaml, d.maxUnauthenticatedConnections(), 1, TransportLimits.MAX_UNAUTHENTICATED_CONNECTIONS));
        try {
            return limits.build();
        } catch (IllegalArgumentException e) {
            throw new ConfigException("transport limits: " + e.getMessage());
        }
    }

    private int limit(String variable, String yamlKey, Map<String, String> yaml, int defaultValue, int min, int max) {
        return number(variable, "transport." + yamlKey, Optional.ofNullable(yaml.get(yamlKey)), defaultValue, min, max);
    }

    /** Whole seconds; 0 may mean "never" where {@code min} allows it (see {@link TransportLimits}). */
    private Duration seconds(String variable, String yamlKey, Map<String, String> yaml, Duration defaultValue,
            int min, int max) {
        Optional<String> fromYaml = Optional.ofNullable(yaml.get(yamlKey));
        if (get(variable).isEmpty() && fromYaml.isEmpty()) {
            return defaultValue;
        }
        return Duration.ofSeconds(number(variable, "transport." + yamlKey, fromYaml, 0, min, max));
    }

    private boolean flag(String variable, String yamlKey, Map<String, String> yaml, boolean defaultValue) {
        Optional<Value> value = get(variable);
        String name = value.map(Value::name).orElse(get(TOKEN_SERVICE_CONFIG).map(Value::text).orElse("config file")
                + ": transport." + yamlKey);
        String text = value.map(v -> v.text().strip()).orElse(yaml.get(yamlKey));
        if (text == null) {
            return defaultValue;
        }
        return switch (text) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ConfigException(name + ": must be true or false");
        };
    }

    /** A set, non-blank variable ("APP_ID=" in a compose file means unset). */
    private Optional<Value> get(String name) {
        Value value = values.get(name);
        return value == null || value.text().isBlank() ? Optional.empty() : Optional.of(value);
    }

    private static void hex32(String name, String value) {
        try {
            InputRules.requireHex32(name, value);
        } catch (InvalidTokenInputException e) {
            // Never echo the value: an App ID slot may hold a certificate pasted by mistake.
            throw new ConfigException(name + ": " + e.rule());
        }
    }

    /** A random app that only this process knows: tokens work against this server, never against Agora. */
    private static AppKeys developmentApp() {
        SecureRandom random = new SecureRandom();
        Function<Integer, String> hex = bytes -> {
            byte[] data = new byte[bytes];
            random.nextBytes(data);
            return HexFormat.of().formatHex(data);
        };
        return AppKeys.of(hex.apply(16), hex.apply(16));
    }
}
