package io.tokenservice.server.config;

import static io.tokenservice.server.config.EnvironmentVariables.TOKEN_SERVICE_REDIS_CA_FILE;
import static io.tokenservice.server.config.EnvironmentVariables.TOKEN_SERVICE_REDIS_PASSWORD_FILE;
import static io.tokenservice.server.config.EnvironmentVariables.TOKEN_SERVICE_REDIS_TIMEOUT_MS;
import static io.tokenservice.server.config.EnvironmentVariables.TOKEN_SERVICE_REDIS_URL;

import io.tokenservice.server.config.ConfigSource.Setting;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@link Configuration#redis()}: {@code redis: {url, password_file, ca_file, timeout_ms}}, each overridden by its
 * {@code TOKEN_SERVICE_REDIS_*} variable. The URL is {@code redis[s]://[[user]:password@]host[:port][/database]};
 * errors name the part that is wrong and never repeat the URL, which may hold the password.
 */
final class RedisSection {
    static final String KEY = "redis";
    private static final Set<String> KEYS = Set.of("url", "password_file", "ca_file", "timeout_ms");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._-]+|\\[[0-9A-Fa-f:.]+]");
    private static final String FORM = "expected redis://[[user]:password@]host[:port][/database], or rediss:// for TLS";

    private RedisSection() {}

    static Optional<RedisSettings> read(ConfigSource in) {
        ConfigNode.Mapping redis = in.top().get(KEY).mapping(KEYS);
        Optional<Setting<String>> url = in.variable(TOKEN_SERVICE_REDIS_URL)
                .or(() -> redis.get("url").text().map(text -> new Setting<>(text.strip(), Optional.empty(),
                        redis.get("url"))));
        Optional<Setting<Path>> passwordFile = in.path(TOKEN_SERVICE_REDIS_PASSWORD_FILE, redis.get("password_file"));
        Optional<Setting<Path>> caFile = in.path(TOKEN_SERVICE_REDIS_CA_FILE, redis.get("ca_file"));
        long timeoutMs = in.wholeNumber(TOKEN_SERVICE_REDIS_TIMEOUT_MS, redis.get("timeout_ms"),
                RedisSettings.DEFAULT_TIMEOUT.toMillis(), 1, RedisSettings.MAX_TIMEOUT.toMillis());
        if (url.isEmpty()) {
            Optional<? extends Setting<?>> stray = passwordFile.isPresent() ? passwordFile : caFile;
            if (stray.isPresent()) {
                throw new ConfigException(stray.get().name() + " is set but " + alternatives(in)
                        + " is not: without a Redis URL the rate limits are per replica");
            }
            return Optional.empty();
        }
        RedisSettings parsed = parse(url.get(), Duration.ofMillis(timeoutMs));
        if (passwordFile.isPresent()) {
            if (parsed.password().isPresent()) {
                throw passwordFile.get().error("is set but the Redis URL holds a password too; keep one of them");
            }
            Path file = passwordFile.get().value();
            String password = Files2.readSecret(file, problem -> passwordFile.get().fileError(file, problem));
            if (password.isEmpty()) {
                throw passwordFile.get().fileError(file, "is empty");
            }
            parsed = new RedisSettings(parsed.tls(), parsed.host(), parsed.port(), parsed.database(),
                    parsed.username(), Optional.of(password), parsed.caFile(), parsed.timeout());
        }
        if (caFile.isPresent()) {
            if (!parsed.tls()) {
                throw caFile.get().error("is set but the Redis URL is not rediss:// (TLS)");
            }
            Path file = caFile.get().value();
            Files2.requireReadable(file, problem -> caFile.get().fileError(file, problem));
            parsed = new RedisSettings(parsed.tls(), parsed.host(), parsed.port(), parsed.database(),
                    parsed.username(), parsed.password(), Optional.of(file), parsed.timeout());
        }
        return Optional.of(parsed);
    }

    private static String alternatives(ConfigSource in) {
        return in.file().isPresent() ? TOKEN_SERVICE_REDIS_URL + " (or redis.url)" : TOKEN_SERVICE_REDIS_URL;
    }

    /** Parses {@code url}; every error names a part, never the text. */
    static RedisSettings parse(Setting<String> url, Duration timeout) {
        String text = url.value();
        int schemeEnd = text.indexOf("://");
        if (schemeEnd < 0) {
            throw url.error("is not a Redis URL (" + FORM + ")");
        }
        String scheme = text.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
        boolean tls = switch (scheme) {
            case "redis" -> false;
            case "rediss" -> true;
            default -> throw url.error("the scheme must be redis or rediss, not '"
                    + (scheme.matches("[a-z][a-z0-9+.-]{0,20}") ? scheme : "?") + "' (" + FORM + ")");
        };
        String rest = text.substring(schemeEnd + 3);
        if (rest.indexOf('?') >= 0 || rest.indexOf('#') >= 0) {
            throw url.error("query parameters and fragments are not supported (" + FORM + ")");
        }
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? "" : rest.substring(slash + 1);
        int at = authority.lastIndexOf('@');
        Optional<String> username = Optional.empty();
        Optional<String> password = Optional.empty();
        if (at >= 0) {
            String userInfo = authority.substring(0, at);
            int colon = userInfo.indexOf(':');
            String user = colon < 0 ? "" : decode(url, userInfo.substring(0, colon));
            String secret = decode(url, colon < 0 ? userInfo : userInfo.substring(colon + 1));
            if (secret.isEmpty()) {
                throw url.error("has '@' but no password before it (" + FORM + ")");
            }
            username = user.isEmpty() ? Optional.empty() : Optional.of(user);
            password = Optional.of(secret);
        }
        String hostPort = authority.substring(at + 1);
        int portStart = hostPort.startsWith("[") ? hostPort.indexOf("]:") + 1 : hostPort.lastIndexOf(':');
        String host = portStart > 0 ? hostPort.substring(0, portStart) : hostPort;
        if (host.isEmpty() || !HOST.matcher(host).matches()) {
            throw url.error("needs a host name or address after the scheme (" + FORM + ")");
        }
        if (host.startsWith("[")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = RedisSettings.DEFAULT_PORT;
        if (portStart > 0) {
            String digits = hostPort.substring(portStart + 1);
            port = digits.matches("\\d{1,5}") ? Integer.parseInt(digits) : -1;
            if (port < 1 || port > 65_535) {
                throw url.error("the port must be a number from 1 to 65535 (" + FORM + ")");
            }
        }
        int database = 0;
        if (!path.isEmpty()) {
            if (!path.matches("\\d{1,5}")) {
                throw url.error("the path must be a database number (" + FORM + ")");
            }
            database = Integer.parseInt(path);
        }
        return new RedisSettings(tls, host, port, database, username, password, Optional.empty(), timeout);
    }

    /** Percent-decoding of user and password (UTF-8); '+' stays '+'. */
    private static String decode(Setting<String> url, String part) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int plainStart = 0;
        for (int i = 0; i < part.length(); i++) {
            if (part.charAt(i) == '%') {
                bytes.writeBytes(part.substring(plainStart, i).getBytes(StandardCharsets.UTF_8));
                if (i + 2 >= part.length() || Character.digit(part.charAt(i + 1), 16) < 0
                        || Character.digit(part.charAt(i + 2), 16) < 0) {
                    throw url.error("the user or password has a '%' that is not followed by two hex digits "
                            + "(write '%25' for '%')");
                }
                bytes.write(Integer.parseInt(part, i + 1, i + 3, 16));
                i += 2;
                plainStart = i + 1;
            }
        }
        bytes.writeBytes(part.substring(plainStart).getBytes(StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
