package io.tokenservice.server.config;

import static io.tokenservice.server.config.EnvironmentVariables.APP_CERTIFICATE;
import static io.tokenservice.server.config.EnvironmentVariables.APP_CERTIFICATE_FILE;
import static io.tokenservice.server.config.EnvironmentVariables.APP_CERTIFICATE_SECONDARY;
import static io.tokenservice.server.config.EnvironmentVariables.APP_CERTIFICATE_SECONDARY_FILE;
import static io.tokenservice.server.config.EnvironmentVariables.APP_ID;

import io.tokenservice.server.config.ConfigSource.Setting;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@link Configuration#apps()}: the {@code apps:} list of the file, or the single app of {@code APP_ID} and
 * {@code APP_CERTIFICATE[_FILE]}, or in development a made-up one.
 *
 * <pre>
 * apps:
 *   - app_id: 0123456789abcdef0123456789abcdef
 *     primary_certificate: ...            # or primary_certificate_file: /run/secrets/app1-primary
 *     secondary_certificate: ...          # optional; or secondary_certificate_file
 * </pre>
 */
final class AppsSection {
    static final String KEY = "apps";
    /** The variables of the single app; any of them set means "not development". */
    static final List<String> SINGLE_APP_VARIABLES = List.of(APP_ID, APP_CERTIFICATE, APP_CERTIFICATE_FILE,
            APP_CERTIFICATE_SECONDARY, APP_CERTIFICATE_SECONDARY_FILE);
    private static final Set<String> APP_KEYS = Set.of("app_id", "primary_certificate", "primary_certificate_file",
            "secondary_certificate", "secondary_certificate_file");

    private AppsSection() {}

    static AppRegistry read(ConfigSource in) {
        if (in.file().isPresent()) {
            return fromFile(in.top().get(KEY));
        }
        if (in.development()) {
            return new AppRegistry(List.of(in.developmentDefaults().app()));
        }
        return new AppRegistry(List.of(fromEnvironment(in)));
    }

    private static AppRegistry fromFile(ConfigNode apps) {
        if (!apps.isPresent()) {
            throw apps.error("is required: list each app with app_id and primary_certificate");
        }
        List<ConfigNode> items = apps.items();
        if (items.isEmpty()) {
            throw apps.error("must list at least one app");
        }
        List<AppKeys> keys = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (ConfigNode item : items) {
            ConfigNode.Mapping app = item.mapping(APP_KEYS);
            ConfigNode idNode = app.get("app_id");
            String appId = ConfigSource.hex32(setting(idNode.text()
                    .orElseThrow(() -> idNode.error("is required")), idNode));
            if (!seen.add(appId)) {
                throw idNode.error("app " + appId + " is listed twice");
            }
            String primary = certificate(app, "primary_certificate")
                    .orElseThrow(() -> app.get("primary_certificate").error("is required (or primary_certificate_file)"));
            Optional<String> secondary = certificate(app, "secondary_certificate");
            keys.add(secondary.isPresent() ? AppKeys.of(appId, primary, secondary.get()) : AppKeys.of(appId, primary));
        }
        return new AppRegistry(keys);
    }

    private static Optional<String> certificate(ConfigNode.Mapping app, String key) {
        ConfigNode inline = app.get(key);
        ConfigNode file = app.get(key + "_file");
        if (inline.isPresent() && file.isPresent()) {
            throw inline.error("set " + key + " or " + key + "_file, not both");
        }
        if (inline.isPresent()) {
            return inline.text().map(text -> ConfigSource.hex32(setting(text, inline)));
        }
        return file.file().map(path -> ConfigSource.hex32InFile(setting(path, file)));
    }

    private static <T> Setting<T> setting(T value, ConfigNode node) {
        return new Setting<>(value, Optional.empty(), node);
    }

    private static AppKeys fromEnvironment(ConfigSource in) {
        Setting<String> appId = in.variable(APP_ID).orElseThrow(() -> new ConfigException(APP_ID + " is not set, but "
                + APP_CERTIFICATE + " or " + APP_CERTIFICATE_FILE + " is: set the App ID too"));
        String id = ConfigSource.hex32(appId);
        String primary = certificate(in, APP_CERTIFICATE, APP_CERTIFICATE_FILE)
                .orElseThrow(() -> new ConfigException(appId.name() + " is set, but neither " + APP_CERTIFICATE
                        + " nor " + APP_CERTIFICATE_FILE + " is: set the App Certificate (Agora console, project settings)"));
        Optional<String> secondary = certificate(in, APP_CERTIFICATE_SECONDARY, APP_CERTIFICATE_SECONDARY_FILE);
        return secondary.isPresent() ? AppKeys.of(id, primary, secondary.get()) : AppKeys.of(id, primary);
    }

    private static Optional<String> certificate(ConfigSource in, String variable, String fileVariable) {
        Optional<Setting<String>> inline = in.variable(variable);
        Optional<Setting<Path>> file = in.path(fileVariable, ConfigNode.none());
        if (inline.isPresent() && file.isPresent()) {
            throw new ConfigException(inline.get().name() + " and " + file.get().name() + " are both set: set one of them");
        }
        return inline.map(ConfigSource::hex32).or(() -> file.map(ConfigSource::hex32InFile));
    }
}
