package io.tokenservice.server.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The apps this server holds certificates for, by App ID. App IDs are hexadecimal, so they are matched
 * ignoring letter case ({@code 97048663EFC5...} finds {@code 97048663efc5...}); the {@link AppKeys} found
 * carry the App ID as configured, which is the form tokens are signed with. Immutable.
 */
public final class AppRegistry {
    private final Map<String, AppKeys> byId;
    /** Made once: every request that leaves app_id empty asks for it. */
    private final Optional<AppKeys> only;

    private AppRegistry() {
        this.byId = Map.of();
        this.only = Optional.empty();
    }

    /** No app at all: only for inspecting tokens offline without a certificate (nothing is signed or verified). */
    public static AppRegistry none() {
        return new AppRegistry();
    }

    AppRegistry(List<AppKeys> apps) {
        Map<String, AppKeys> map = new LinkedHashMap<>();
        for (AppKeys app : apps) {
            if (map.putIfAbsent(key(app.appId()), app) != null) {
                throw new ConfigException("app " + app.appId() + " is configured twice (App IDs are matched "
                        + "ignoring letter case)");
            }
        }
        if (map.isEmpty()) {
            throw new ConfigException("no app configured: a token server needs at least one App ID and certificate");
        }
        this.byId = Collections.unmodifiableMap(map);
        this.only = map.size() == 1 ? Optional.of(map.values().iterator().next()) : Optional.empty();
    }

    /** The app whose App ID equals {@code appId} ignoring letter case. */
    public Optional<AppKeys> find(String appId) {
        return Optional.ofNullable(byId.get(key(appId)));
    }

    /** {@code appId} as configured if this server holds that app, otherwise {@code appId} unchanged. */
    public String configuredForm(String appId) {
        AppKeys app = byId.get(key(appId));
        return app == null ? appId : app.appId();
    }

    private static String key(String appId) {
        return appId.toLowerCase(Locale.ROOT);
    }

    public int size() {
        return byId.size();
    }

    /** The only app, when the server holds exactly one (requests may then leave app_id empty). */
    public Optional<AppKeys> only() {
        return only;
    }

    public Collection<AppKeys> all() {
        return byId.values();
    }

    /** The App IDs as configured. */
    public List<String> appIds() {
        List<String> ids = new ArrayList<>(byId.size());
        for (AppKeys app : byId.values()) {
            ids.add(app.appId());
        }
        return ids;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AppRegistry other && other.byId.equals(byId);
    }

    @Override
    public int hashCode() {
        return byId.hashCode();
    }

    /** {@code [<app id> (+ secondary certificate), <app id>]}: App IDs only, never a certificate. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("[");
        for (AppKeys app : byId.values()) {
            s.append(s.length() > 1 ? ", " : "").append(app.appId());
            if (app.secondaryCertificate().isPresent()) {
                s.append(" (+ secondary certificate)");
            }
        }
        return s.append(']').toString();
    }
}
