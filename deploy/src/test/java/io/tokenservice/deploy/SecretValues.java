package io.tokenservice.deploy;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The one rule for environment values in images, compose files and manifests: secrets reach the
 * processes only as files, so no variable may carry a certificate, an API key (or its hash) or a password.
 */
public final class SecretValues {
    /** Variables of the server that hold a secret inline; their {@code _FILE} twins are the way in. */
    private static final Set<String> INLINE_SECRET_VARIABLES = Set.of(
            "APP_CERTIFICATE", "APP_CERTIFICATE_SECONDARY", "TOKEN_SERVICE_API_KEYS", "TOKEN_SERVICE_API_KEY");
    private static final Pattern SECRET_NAME = Pattern.compile(".*(PASSWORD|SECRET|PRIVATE_KEY|API_KEY|CREDENTIAL).*");
    private static final Pattern HEX32 = Pattern.compile(".*\\b[0-9a-fA-F]{32}\\b.*");
    private static final Pattern API_KEY = Pattern.compile(".*\\btsk_[A-Za-z0-9_-]{16,}.*");
    private static final Pattern KEY_HASH = Pattern.compile(".*sha256:[0-9a-fA-F]{64}.*");
    private static final Pattern URL_WITH_PASSWORD = Pattern.compile("[a-z][a-z0-9+.-]*://[^/@\\s]*:[^/@\\s]+@.*");

    private SecretValues() {}

    /** Why {@code name=value} must not be in an environment, if it must not. */
    public static Optional<String> problem(String name, String value) {
        String upper = name.toUpperCase(Locale.ROOT);
        if (INLINE_SECRET_VARIABLES.contains(upper)) {
            return Optional.of(name + " carries a secret inline; mount it as a file (" + name + "_FILE or the config file)");
        }
        if (SECRET_NAME.matcher(upper).matches() && !upper.endsWith("_FILE")) {
            return Optional.of(name + " looks like a secret; pass secrets as files");
        }
        String v = value == null ? "" : value;
        if (HEX32.matcher(v).matches() || API_KEY.matcher(v).matches() || KEY_HASH.matcher(v).matches()) {
            return Optional.of(name + " has a value that looks like a certificate, an API key or its hash");
        }
        if (URL_WITH_PASSWORD.matcher(v).matches()) {
            return Optional.of(name + " is a URL with a password in it");
        }
        return Optional.empty();
    }
}
