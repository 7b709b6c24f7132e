package io.tokenservice.server.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The apps this server holds certificates for, by App ID (exact, case-sensitive match). Immutable. */
public final class AppRegistry {
    private final Map<String, AppKeys> byId;

    private AppRegistry() {
        this.byId = Map.of();
    }

    /** No app at all: only for inspecting tokens offline without a certificate (nothing is signed or verified). */
    public static AppRegistry none() {
        return new AppRegistry();
    }

    AppRegistry(List<AppKeys> apps) {
        Map<String, AppKeys> map = new LinkedHashMap<>();
        for (AppKeys app : apps) {
            if (map.putIfAbsent(app.appId(), app) != null) {
                throw new ConfigException("app " + app.appId() + " is configured twice");
            }
        }
        if (map.isEmpty()) {
            throw new ConfigException("no app configured: a token server needs at least one App ID and certificate");
        }
        this.byId = Collections.unmodifiableMap(map);
    }

    public Optional<AppKeys> find(String appId) {
        return Optional.ofNullable(byId.get(appId));
    }

    public int size() {
        return byId.size();
    }

    /** The only app, when the server holds exactly one (requests may then leave app_id empty). */
    public Optional<AppKeys> only() {
        return byId.size() == 1 ? Optional.of(byId.values().iterator().next()) : Optional.empty();
    }

    public Collection<AppKeys> all() {
        return byId.values();
    }

    public List<String> appIds() {
        return new ArrayList<>(byId.keySet());
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
