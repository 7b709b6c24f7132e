package io.tokenservice.server.config;

import io.tokenservice.core.validation.InputRules;
import io.tokenservice.core.validation.InvalidTokenInputException;
import io.tokenservice.env.Environment;
import io.tokenservice.env.EnvironmentException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * What one {@link ConfigLoader#load()} reads from: the environment (with {@code .env}) and the configuration
 * file's top level (absent without a file). Each section of {@link Configuration} is read from here by its
 * own {@code *Section.read}, through the helpers below, so that every setting follows the same rules: the
 * environment variable wins over the file's key, which wins over the default, and an error names the
 * variable (or the key, file and line) and never quotes the value.
 */
final class ConfigSource {
    private final Environment environment;
    private final ConfigNode.Mapping top;
    private final Optional<Path> file;
    private final boolean development;
    private final DevelopmentDefaults developmentDefaults;
    private final List<String> warnings;

    ConfigSource(Environment environment, ConfigNode.Mapping top, Optional<Path> file, boolean development,
            DevelopmentDefaults developmentDefaults, List<String> warnings) {
        this.environment = environment;
        this.top = top;
        this.file = file;
        this.development = development;
        this.developmentDefaults = developmentDefaults;
        this.warnings = warnings;
    }

    /** A set value and how errors name it: by its environment variable, or by its key in the file. */
    record Setting<T>(T value, Optional<Environment.Variable> variable, ConfigNode node) {
        /** {@code APP_ID (from /app/.env): <problem>} or {@code <file>: apps[0].app_id (line 3): <problem>}. */
        ConfigException error(String problem) {
            return variable.isPresent() ? new ConfigException(variable.get().describe() + ": " + problem)
                    : node.error(problem);
        }

        /** An error about the file this setting names: {@code TLS_KEY_FILE /etc/tls.key: no such file}. */
        ConfigException fileError(Path path, String problem) {
            return variable.isPresent() ? new ConfigException(variable.get().describe() + " " + path + ": " + problem)
                    : node.error(path + ": " + problem);
        }

        /** How a message names it: {@code APP_ID}, {@code APP_ID (from /app/.env)} or {@code tls.cert_file}. */
        String name() {
            return variable.map(Environment.Variable::describe).orElse(node.path());
        }
    }

    /** The file's top-level keys (all absent without a file). */
    ConfigNode.Mapping top() {
        return top;
    }

    Optional<Path> file() {
        return file;
    }

    /** Nothing configured: the loader makes up what is needed to try the API. */
    boolean development() {
        return development;
    }

    DevelopmentDefaults developmentDefaults() {
        return developmentDefaults;
    }

    void warn(String line) {
        warnings.add(line);
    }

    /** A set, non-blank environment variable. */
    Optional<Setting<String>> variable(String name) {
        return environment.get(name).map(v -> new Setting<>(v.text().strip(), Optional.of(v), ConfigNode.none()));
    }

    /** A file named by the variable (relative to the working directory) or by the file's key (relative to it). */
    Optional<Setting<Path>> path(String variable, ConfigNode node) {
        Optional<Environment.Variable> set = environment.get(variable);
        if (set.isPresent()) {
            return environment.path(variable).map(path -> new Setting<>(path, set, ConfigNode.none()));
        }
        return node.file().map(path -> new Setting<>(path, Optional.empty(), node));
    }

    /** A whole number from the variable, else the file, else {@code defaultValue}. */
    long wholeNumber(String variable, ConfigNode node, long defaultValue, long min, long max) {
        if (environment.get(variable).isPresent()) {
            try {
                return environment.integer(variable, defaultValue, min, max);
            } catch (EnvironmentException e) {
                throw new ConfigException(e.getMessage());
            }
        }
        return node.wholeNumber(min, max).orElse(defaultValue);
    }

    /** {@code true} or {@code false} from the variable, else the file, else {@code defaultValue}. */
    boolean flag(String variable, ConfigNode node, boolean defaultValue) {
        Optional<Setting<String>> set = variable(variable);
        if (set.isEmpty()) {
            return node.flag(defaultValue);
        }
        String text = set.get().value();
        if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(text);
        }
        throw set.get().error("must be true or false");
    }

    /** An App ID or certificate: 32 hex digits (the value is never repeated in the error). */
    static String hex32(Setting<String> setting) {
        return hex32(setting.value(), setting::error);
    }

    /** The certificate held in the file {@code setting} names. */
    static String hex32InFile(Setting<Path> setting) {
        Path path = setting.value();
        String content = Files2.readSecret(path, problem -> setting.fileError(path, problem));
        return hex32(content, rule -> setting.fileError(path, "the content " + rule));
    }

    private static String hex32(String value, Function<String, ConfigException> error) {
        try {
            InputRules.requireHex32("value", value);
            return value;
        } catch (InvalidTokenInputException e) {
            throw error.apply(e.rule());
        }
    }
}
