package io.tokenservice.server.config;

import static io.tokenservice.server.config.EnvironmentVariables.TLS_CLIENT_CA_FILE;
import static io.tokenservice.server.config.EnvironmentVariables.TOKEN_SERVICE_API_KEYS;
import static io.tokenservice.server.config.EnvironmentVariables.TOKEN_SERVICE_CONFIG;

import io.tokenservice.env.Environment;
import io.tokenservice.env.EnvironmentException;
import io.tokenservice.logging.LoggingSettings;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The one place the configuration is read: {@link #load()} reads the configuration file (if
 * {@code TOKEN_SERVICE_CONFIG} names one), the certificate and deny-list files it names, and the environment,
 * and returns the whole {@link Configuration}, checked as a whole, or throws one {@link ConfigException}. A
 * reload is another {@link #load()}: it accepts exactly what a start-up would.
 *
 * <p>The environment (process variables over {@code .env}) is read once, when the loader is made: a running
 * server does not change its environment, so every load sees the same one.
 *
 * <p><b>Development mode</b> is decided here and nowhere else: with neither {@code TOKEN_SERVICE_CONFIG} nor
 * any {@code APP_*} variable, the app is made up (and, without {@code TOKEN_SERVICE_API_KEYS}, an API key for
 * caller {@value #DEVELOPMENT_CALLER}), once per loader. In every other mode a configuration without any
 * caller credential is refused: a server holding a real App Certificate never runs open.
 *
 * <p>To add a setting: a component of the section's record (e.g. {@link ServerSettings}) and one line in that
 * section's {@code read} (e.g. {@code ServerSection.read}) using the {@link ConfigSource} helpers, which give the
 * environment variable precedence and word the errors. To add a section: a record, a {@code *Section} class with
 * {@code static X read(ConfigSource)}, a component of {@link Configuration}, its key in {@link #TOP_LEVEL_KEYS}
 * and its call in {@link #load()}.
 */
public final class ConfigLoader {
    /** The caller name of the made-up development key. */
    public static final String DEVELOPMENT_CALLER = "dev";
    /** The keys of the configuration file's top level. */
    static final Set<String> TOP_LEVEL_KEYS = Stream.concat(
            Stream.of(AppsSection.KEY, TlsSection.KEY, TransportSection.KEY, SecuritySection.KEY, RedisSection.KEY,
                    AdminSection.KEY, LoggingSection.KEY),
            ServerSection.KEYS.stream())
            .collect(Collectors.toUnmodifiableSet());

    private final Environment environment;
    private final DevelopmentDefaults developmentDefaults;

    private ConfigLoader(Environment environment, SecureRandom random) {
        this.environment = environment;
        this.developmentDefaults = new DevelopmentDefaults(random);
    }

    /**
     * @param processEnvironment the process's variables ({@code workingDir/.env} supplies those it lacks)
     * @param workingDir where {@code .env} is, and what relative paths in variables are relative to
     * @throws ConfigException if the {@code .env} file cannot be read or parsed
     */
    public static ConfigLoader of(Map<String, String> processEnvironment, Path workingDir) {
        try {
            return new ConfigLoader(Environment.load(processEnvironment, workingDir), new SecureRandom());
        } catch (EnvironmentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    /**
     * Reads and checks everything.
     *
     * @throws ConfigException with one line naming the setting (variable, or file, key and line), never a value
     */
    public Configuration load() {
        List<String> warnings = new ArrayList<>();
        ConfigSource in = source(warnings);
        AppRegistry apps = AppsSection.read(in);
        ServerSettings server = ServerSection.read(in);
        Optional<TlsConfig> tls = TlsSection.read(in);
        TransportSettings transport = TransportSection.read(in);
        SecuritySettings security = SecuritySection.read(in);
        checkCallerCredentials(in, tls, security);
        Optional<RedisSettings> redis = RedisSection.read(in);
        AdminSettings admin = AdminSection.read(in);
        LoggingSettings logging = LoggingSection.read(in);
        return new Configuration(server, tls, transport, apps, security, redis, admin, logging, in.file(),
                in.top().get(SecuritySection.KEY).isWritten(), in.development(), warnings);
    }

    /**
     * The apps alone (the file's {@code apps:} or {@code APP_ID}...), for the offline commands; refuses the
     * development mode, whose made-up app signs nothing Agora accepts.
     *
     * @throws ConfigException as {@link #load()} would, or when no app is configured
     */
    public AppRegistry loadApps() {
        ConfigSource in = source(new ArrayList<>());
        if (in.development()) {
            throw new ConfigException("no app configured: set " + EnvironmentVariables.APP_ID + " and "
                    + EnvironmentVariables.APP_CERTIFICATE + " (or " + EnvironmentVariables.APP_CERTIFICATE_FILE
                    + "), or " + TOKEN_SERVICE_CONFIG);
        }
        return AppsSection.read(in);
    }

    private ConfigSource source(List<String> warnings) {
        Optional<ConfigSource.Setting<Path>> fileSetting = environment.path(TOKEN_SERVICE_CONFIG)
                .map(path -> new ConfigSource.Setting<>(path, environment.get(TOKEN_SERVICE_CONFIG), ConfigNode.none()));
        boolean singleApp = AppsSection.SINGLE_APP_VARIABLES.stream().anyMatch(v -> environment.get(v).isPresent());
        if (fileSetting.isPresent() && singleApp) {
            throw new ConfigException(TOKEN_SERVICE_CONFIG + " and " + EnvironmentVariables.APP_ID + "/"
                    + EnvironmentVariables.APP_CERTIFICATE + " are both set: configure the apps either in the "
                    + "YAML file or in the environment, not both");
        }
        Optional<Path> file = fileSetting.map(ConfigSource.Setting::value);
        ConfigNode root = file.isPresent()
                ? YamlFile.read(fileSetting.get().name(), file.get(), warnings::add)
                : ConfigNode.none();
        if (file.isPresent() && !root.isPresent()) {
            throw root.error("the file is empty (it needs at least the apps list)");
        }
        return new ConfigSource(environment, root.mapping(TOP_LEVEL_KEYS), file,
                file.isEmpty() && !singleApp, developmentDefaults, warnings);
    }

    /** The made-up development key, if a load made one: to be shown once on the console, never logged. */
    public Optional<String> developmentKey() {
        return developmentDefaults.keyIfMade();
    }

    private static void checkCallerCredentials(ConfigSource in, Optional<TlsConfig> tls, SecuritySettings security) {
        boolean clientCa = tls.flatMap(TlsConfig::clientCa).isPresent();
        boolean subjects = !security.clientCertificates().isEmpty();
        String noClientCa = "client_certificates need a client CA (" + TLS_CLIENT_CA_FILE + " or tls.client_ca_file)";
        if (!in.development() && !security.hasCredentials(clientCa)) {
            throw new ConfigException("no caller credentials configured: set " + TOKEN_SERVICE_API_KEYS
                    + "=<caller>=<key>[,...] or " + in.file()
                            .map(f -> "give callers api_keys or client_certificates in the security section of " + f)
                            .orElse("configure callers in the security section of a " + TOKEN_SERVICE_CONFIG + " file")
                    + (subjects ? " (" + noClientCa + ")" : "")
                    + " (see README); a server holding a real App Certificate never runs without caller authentication");
        }
        if (subjects && !clientCa) {
            in.warn("security: " + noClientCa + ", so no caller can authenticate with a certificate");
        }
    }
}
