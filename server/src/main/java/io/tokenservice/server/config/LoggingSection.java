package io.tokenservice.server.config;

import static io.tokenservice.server.config.EnvironmentVariables.LOG_FORMAT;
import static io.tokenservice.server.config.EnvironmentVariables.LOG_LEVEL;

import io.tokenservice.logging.LoggingSettings;
import java.util.Optional;
import java.util.Set;

/** {@link Configuration#logging()}: {@code logging: {level, format}}, overridden by {@code LOG_LEVEL}/{@code LOG_FORMAT}. */
final class LoggingSection {
    static final String KEY = "logging";
    private static final Set<String> KEYS = Set.of("level", "format");

    private LoggingSection() {}

    static LoggingSettings read(ConfigSource in) {
        ConfigNode.Mapping logging = in.top().get(KEY).mapping(KEYS);
        LoggingSettings defaults = LoggingSettings.defaults();
        return new LoggingSettings(
                choice(in, LOG_LEVEL, logging.get("level"), LoggingSettings.Level.class, defaults.level()),
                choice(in, LOG_FORMAT, logging.get("format"), LoggingSettings.Format.class, defaults.format()));
    }

    private static <E extends Enum<E>> E choice(ConfigSource in, String variable, ConfigNode node, Class<E> type,
            E defaultValue) {
        Optional<ConfigSource.Setting<String>> set = in.variable(variable);
        Optional<String> text = set.map(ConfigSource.Setting::value).or(node::text);
        if (text.isEmpty()) {
            return defaultValue;
        }
        Optional<E> value = LoggingSettings.choice(text.get(), type);
        if (value.isPresent()) {
            return value.get();
        }
        String problem = LoggingSettings.choices(type);
        throw set.isPresent() ? set.get().error(problem) : node.error(problem);
    }
}
