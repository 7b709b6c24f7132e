package io.tokenservice.server.config;

import io.tokenservice.logging.LoggingSettings;
import io.tokenservice.server.auth.JwksSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything the server runs with, as one immutable value: what {@link ConfigLoader#load()} read from the
 * environment, the {@code .env} file and the configuration file, checked as a whole. One record per section of
 * the file; a reload builds a new value and swaps it in whole, or keeps this one.
 *
 * @param server port and grace periods (top level of the file)
 * @param tls TLS and the client CA ({@code tls:}); empty = plaintext
 * @param transport what connections and calls may hold of the server ({@code transport:})
 * @param apps the apps this server signs for ({@code apps:}, or {@code APP_ID}...)
 * @param security callers, their policies and rate limits, the deny-list ({@code security:})
 * @param redis where the rate limits every replica shares are kept ({@code redis:}); empty = per replica
 * @param admin the admin HTTP port ({@code admin:}): metrics
 * @param logging the application log's level and format ({@code logging:})
 * @param file the configuration file it came from ({@code TOKEN_SERVICE_CONFIG}), if any
 * @param securitySection whether the callers come from the file's {@code security:} section (rather than from
 *     {@code TOKEN_SERVICE_API_KEYS} alone, or the development key)
 * @param development whether nothing was configured, so the app (and the key, unless
 *     {@code TOKEN_SERVICE_API_KEYS} is set) was made up for trying the API (see {@link ConfigLoader})
 * @param warnings one line each: what was accepted but should be changed (deprecated keys, settings that
 *     have no effect); logged at every load
 */
public record Configuration(ServerSettings server, Optional<TlsConfig> tls, TransportSettings transport, AppRegistry apps,
        SecuritySettings security, Optional<RedisSettings> redis, AdminSettings admin, LoggingSettings logging,
        Optional<Path> file, boolean securitySection, boolean development, List<String> warnings) {

    public Configuration {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(apps, "apps");
        Objects.requireNonNull(security, "security");
        Objects.requireNonNull(redis, "redis");
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(logging, "logging");
        Objects.requireNonNull(file, "file");
        warnings = List.copyOf(warnings);
    }

    /**
     * The files whose change is a new configuration: the configuration file, the deny-list file and the JWK set
     * files of JWT callers.
     */
    public List<Path> watchedFiles() {
        List<Path> files = new ArrayList<>(2);
        file.ifPresent(files::add);
        security.denyList().file().ifPresent(files::add);
        security.jwtCallers().values().forEach(issuer -> {
            if (issuer.jwks() instanceof JwksSource.File f && !files.contains(f.path())) {
                files.add(f.path());
            }
        });
        return files;
    }

    /**
     * Why a running server must not switch to {@code next} although it loads: what a configuration file cut short
     * still parses into. A file that lost its {@code security:} section would hand the callers of
     * {@code TOKEN_SERVICE_API_KEYS} the quick-start policy, and one that lost {@code deny_list} would drop the
     * deny-list; both widen what is allowed, so a running server takes them only at a restart.
     */
    public Optional<String> reloadRefusal(Configuration next) {
        if (securitySection && !next.securitySection) {
            return Optional.of("the security section is gone, so the callers of TOKEN_SERVICE_API_KEYS would get the "
                    + "quick-start policy; restart the server if that is meant");
        }
        if (security.denyList().file().isPresent() && next.security.denyList().file().isEmpty()) {
            return Optional.of("the deny-list " + security.denyList().file().get() + " is no longer configured; "
                    + "restart the server if that is meant");
        }
        return Optional.empty();
    }

    /**
     * The sections {@code next} changes that a running server only applies at its next start (the port, TLS,
     * the transport limits, the apps, the grace periods, Redis, the admin port and logging); empty if it
     * changes none of them.
     */
    public List<String> restartOnlyChanges(Configuration next) {
        List<String> changed = new ArrayList<>();
        if (!server.equals(next.server)) {
            changed.add("grpc_port/renew_grace_seconds/shutdown_grace_seconds");
        }
        if (!tls.equals(next.tls)) {
            changed.add("tls");
        }
        if (!transport.equals(next.transport)) {
            changed.add("transport");
        }
        if (!apps.equals(next.apps)) {
            changed.add("apps");
        }
        if (!redis.equals(next.redis)) {
            changed.add("redis");
        }
        if (!admin.equals(next.admin)) {
            changed.add("admin");
        }
        if (!logging.equals(next.logging)) {
            changed.add("logging");
        }
        return changed;
    }

    /** A one-line description safe to log: App IDs and caller names, never a certificate or key. */
    @Override
    public String toString() {
        return "port " + server.grpcPort() + ", TLS " + tls.map(TlsConfig::describe).orElse("off") + ", apps "
                + apps + ", renew grace " + server.renewGrace().toSeconds() + " s, shutdown grace "
                + server.shutdownGrace().toSeconds() + " s, rate limits "
                + redis.map(r -> "shared in " + r).orElse("per replica") + "; transport: " + transport + "; "
                + security;
    }
}
