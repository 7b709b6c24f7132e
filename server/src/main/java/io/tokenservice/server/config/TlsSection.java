package io.tokenservice.server.config;

import static io.tokenservice.server.config.EnvironmentVariables.TLS_CERT_FILE;
import static io.tokenservice.server.config.EnvironmentVariables.TLS_CLIENT_CA_FILE;
import static io.tokenservice.server.config.EnvironmentVariables.TLS_KEY_FILE;

import io.tokenservice.server.config.ConfigSource.Setting;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@link Configuration#tls()}: {@code tls: {cert_file, key_file, client_ca_file}}, each overridden by its
 * {@code TLS_*} variable. The files must exist and be readable; whether they hold usable PEM is found out when
 * the server starts listening.
 */
final class TlsSection {
    static final String KEY = "tls";
    private static final Set<String> KEYS = Set.of("cert_file", "key_file", "client_ca_file");

    private TlsSection() {}

    static Optional<TlsConfig> read(ConfigSource in) {
        ConfigNode.Mapping tls = in.top().get(KEY).mapping(KEYS);
        Optional<Setting<Path>> cert = in.path(TLS_CERT_FILE, tls.get("cert_file"));
        Optional<Setting<Path>> key = in.path(TLS_KEY_FILE, tls.get("key_file"));
        Optional<Setting<Path>> clientCa = in.path(TLS_CLIENT_CA_FILE, tls.get("client_ca_file"));
        if (cert.isPresent() != key.isPresent()) {
            Setting<Path> set = cert.isPresent() ? cert.get() : key.get();
            String missing = cert.isPresent() ? alternatives(in, TLS_KEY_FILE, "tls.key_file")
                    : alternatives(in, TLS_CERT_FILE, "tls.cert_file");
            throw new ConfigException(set.name() + " is set but " + missing + " is not: TLS needs both");
        }
        if (clientCa.isPresent() && cert.isEmpty()) {
            throw new ConfigException(clientCa.get().name() + " is set but TLS is not: set "
                    + alternatives(in, TLS_CERT_FILE, "tls.cert_file") + " and "
                    + alternatives(in, TLS_KEY_FILE, "tls.key_file") + " too");
        }
        if (cert.isEmpty()) {
            return Optional.empty();
        }
        for (Setting<Path> file : clientCa.isPresent() ? List.of(cert.get(), key.get(), clientCa.get())
                : List.of(cert.get(), key.get())) {
            Files2.requireReadable(file.value(), problem -> file.fileError(file.value(), problem));
        }
        return Optional.of(new TlsConfig(cert.get().value(), key.get().value(), clientCa.map(Setting::value)));
    }

    private static String alternatives(ConfigSource in, String variable, String key) {
        return in.file().isPresent() ? variable + " (or " + key + ")" : variable;
    }
}
