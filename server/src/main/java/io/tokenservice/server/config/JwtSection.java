package io.tokenservice.server.config;

import static io.tokenservice.server.config.EnvironmentVariables.TOKEN_SERVICE_JWT_AUDIENCE;
import static io.tokenservice.server.config.EnvironmentVariables.TOKEN_SERVICE_JWT_ISSUER;
import static io.tokenservice.server.config.EnvironmentVariables.TOKEN_SERVICE_JWT_JWKS_FILE;
import static io.tokenservice.server.config.EnvironmentVariables.TOKEN_SERVICE_JWT_JWKS_URL;

import com.nimbusds.jose.JWSAlgorithm;
import io.tokenservice.env.FileProblems;
import io.tokenservice.server.auth.JwksKeys;
import io.tokenservice.server.auth.JwksSource;
import io.tokenservice.server.auth.JwtIssuer;
import io.tokenservice.server.config.ConfigSource.Setting;
import io.tokenservice.server.policy.ClaimBinding;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The JWT settings of a caller ({@code jwt:} and {@code bind:} under {@code security.callers.<name>}) and the
 * {@code TOKEN_SERVICE_JWT_*} quick start, which makes caller {@value #QUICK_START_CALLER}. JWK set files are
 * read here, with the rest of the configuration, so a rotated file is applied with it or not at all.
 */
final class JwtSection {
    /** The caller the {@code TOKEN_SERVICE_JWT_*} variables make. */
    static final String QUICK_START_CALLER = "end-user";
    static final Set<String> JWT_KEYS = Set.of("issuer", "audiences", "jwks_file", "jwks_url", "jwks_refresh_seconds",
            "algorithms", "clock_skew_seconds");
    static final Set<String> BIND_KEYS = Set.of("identity", "channels", "channels_claim");
    /** Largest JWK set file read. */
    static final long MAX_JWKS_FILE_BYTES = 256 * 1024;

    private JwtSection() {}

    /** The issuer a caller's {@code jwt:} block describes. */
    static JwtIssuer issuer(ConfigSource in, ConfigNode node) {
        ConfigNode.Mapping jwt = node.mapping(JWT_KEYS);
        ConfigNode issuerNode = jwt.get("issuer");
        String issuer = issuerNode.text().orElseThrow(() -> issuerNode.error("is required (the iss of the tokens)"));
        ConfigNode audNode = jwt.get("audiences");
        Set<String> audiences = new LinkedHashSet<>(audNode.strings());
        if (audiences.isEmpty()) {
            throw audNode.error("is required (what the tokens' aud must contain)");
        }
        Set<JWSAlgorithm> algorithms = new LinkedHashSet<>();
        for (ConfigNode a : jwt.get("algorithms").elements()) {
            String name = a.text().orElseThrow(() -> a.error("must not be empty"));
            try {
                algorithms.add(JwtIssuer.algorithm(name));
            } catch (IllegalArgumentException e) {
                throw a.error(e.getMessage());
            }
        }
        Duration skew = Duration.ofSeconds(jwt.get("clock_skew_seconds")
                .wholeNumber(0, JwtIssuer.MAX_CLOCK_SKEW.toSeconds()).orElse(JwtIssuer.DEFAULT_CLOCK_SKEW.toSeconds()));
        ConfigNode file = jwt.get("jwks_file");
        ConfigNode url = jwt.get("jwks_url");
        ConfigNode refresh = jwt.get("jwks_refresh_seconds");
        JwksSource source;
        if (file.isPresent() == url.isPresent()) {
            throw node.error("needs exactly one of jwks_file and jwks_url");
        } else if (file.isPresent()) {
            if (refresh.isPresent()) {
                throw refresh.error("applies to jwks_url only (a jwks_file is reloaded when it changes)");
            }
            Path path = file.file().orElseThrow();
            source = new JwksSource.File(path, readJwks(new Setting<>(path, Optional.empty(), file)));
        } else {
            Duration period = Duration.ofSeconds(refresh.wholeNumber(JwksSource.Url.MIN_REFRESH.toSeconds(), 86_400)
                    .orElse(JwksSource.Url.DEFAULT_REFRESH.toSeconds()));
            source = new JwksSource.Url(jwksUrl(url.text().orElseThrow(), url::error), period);
        }
        return new JwtIssuer(issuer, audiences, algorithms.isEmpty() ? JwtIssuer.DEFAULT_ALGORITHMS : algorithms,
                skew, source);
    }

    /** A caller's {@code bind:} block. */
    static ClaimBinding binding(ConfigNode node) {
        ConfigNode.Mapping bind = node.mapping(BIND_KEYS);
        Optional<String> identity = claimName(bind.get("identity"));
        List<ClaimBinding.ChannelTemplate> templates = new ArrayList<>();
        for (ConfigNode c : bind.get("channels").elements()) {
            String text = c.text().orElseThrow(() -> c.error("must not be empty"));
            try {
                templates.add(ClaimBinding.ChannelTemplate.parse(text));
            } catch (IllegalArgumentException e) {
                throw c.error(e.getMessage());
            }
        }
        Optional<String> channelsClaim = claimName(bind.get("channels_claim"));
        if (identity.isEmpty() && templates.isEmpty() && channelsClaim.isEmpty()) {
            throw node.error("binds nothing: give identity, channels or channels_claim");
        }
        return new ClaimBinding(identity, templates, channelsClaim);
    }

    private static Optional<String> claimName(ConfigNode node) {
        Optional<String> name = node.text();
        try {
            name.ifPresent(n -> new ClaimBinding(Optional.of(n), List.of(), Optional.empty()));
        } catch (IllegalArgumentException e) {
            throw node.error(e.getMessage());
        }
        return name;
    }

    /** The issuer of the {@code TOKEN_SERVICE_JWT_*} quick start, if any of them is set. */
    static Optional<JwtIssuer> fromEnvironment(ConfigSource in) {
        Optional<Setting<String>> issuer = in.variable(TOKEN_SERVICE_JWT_ISSUER);
        Optional<Setting<String>> audience = in.variable(TOKEN_SERVICE_JWT_AUDIENCE);
        Optional<Setting<Path>> file = in.path(TOKEN_SERVICE_JWT_JWKS_FILE, ConfigNode.none());
        Optional<Setting<String>> url = in.variable(TOKEN_SERVICE_JWT_JWKS_URL);
        if (issuer.isEmpty() && audience.isEmpty() && file.isEmpty() && url.isEmpty()) {
            return Optional.empty();
        }
        String all = TOKEN_SERVICE_JWT_ISSUER + ", " + TOKEN_SERVICE_JWT_AUDIENCE + " and " + TOKEN_SERVICE_JWT_JWKS_FILE
                + " (or " + TOKEN_SERVICE_JWT_JWKS_URL + ")";
        if (issuer.isEmpty() || audience.isEmpty() || file.isEmpty() == url.isEmpty()) {
            throw new ConfigException("the JWT quick start needs " + all + ", each set once");
        }
        Set<String> audiences = new LinkedHashSet<>();
        for (String a : audience.get().value().split(",")) {
            if (!a.isBlank()) {
                audiences.add(a.strip());
            }
        }
        JwksSource source = file.isPresent()
                ? new JwksSource.File(file.get().value(), readJwks(file.get()))
                : new JwksSource.Url(jwksUrl(url.get().value(), url.get()::error), JwksSource.Url.DEFAULT_REFRESH);
        try {
            return Optional.of(new JwtIssuer(issuer.get().value(), audiences, JwtIssuer.DEFAULT_ALGORITHMS,
                    JwtIssuer.DEFAULT_CLOCK_SKEW, source));
        } catch (IllegalArgumentException e) {
            throw audience.get().error(e.getMessage());
        }
    }

    private static JwksKeys readJwks(Setting<Path> setting) {
        Path path = setting.value();
        Files2.requireReadable(path, problem -> setting.fileError(path, problem));
        JwksKeys keys;
        try {
            if (Files.size(path) > MAX_JWKS_FILE_BYTES) {
                throw setting.fileError(path, "is larger than " + MAX_JWKS_FILE_BYTES + " bytes");
            }
            keys = JwksKeys.parse(Files.readString(path, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw setting.fileError(path, "cannot read it (" + FileProblems.describe(e) + ")");
        } catch (IllegalArgumentException e) {
            throw setting.fileError(path, e.getMessage());
        }
        if (keys.size() == 0) {
            throw setting.fileError(path, "holds no RSA or EC signing key");
        }
        return keys;
    }

    /** An https URL, or http to a loopback address (a sidecar, a test). */
    private static URI jwksUrl(String text, Function<String, ConfigException> error) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw error.apply("is not a URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http") && isLoopback(uri.getHost()))) {
            throw error.apply("must be an https URL (plain http only to a loopback address)");
        }
        return uri;
    }

    private static boolean isLoopback(String host) {
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (!host.matches("[0-9.]+|\\[[0-9a-fA-F:]+]")) {
            return false;
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
