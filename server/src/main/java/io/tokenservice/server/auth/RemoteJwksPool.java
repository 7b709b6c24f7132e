package io.tokenservice.server.auth;

import java.net.URI;
import java.net.http.HttpClient;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The JWK set URLs a server uses, each fetched once when it first appears in a configuration and then
 * refreshed in the background on one daemon thread. A reload that keeps a URL keeps its keys and schedule; one
 * that drops it stops its refreshing. {@link #close()} stops everything.
 */
public final class RemoteJwksPool implements AutoCloseable {
    private record Fetched(RemoteJwks jwks, JwksSource.Url source, ScheduledFuture<?> refreshing) {}

    private final Supplier<HttpClient> httpFactory;
    private final Map<URI, Fetched> fetched = new HashMap<>();
    private HttpClient http;
    private ScheduledExecutorService scheduler;

    /** With {@link RemoteJwks#defaultClient()}, made when a first URL is configured. */
    public RemoteJwksPool() {
        this(RemoteJwks::defaultClient);
    }

    public RemoteJwksPool(Supplier<HttpClient> httpFactory) {
        this.httpFactory = Objects.requireNonNull(httpFactory, "httpFactory");
    }

    /**
     * The keys of {@code source}: the ones in force if the URL is already known with the same refresh period,
     * otherwise fetched now (once, bounded by {@link RemoteJwks#TIMEOUT}) and refreshed from now on.
     */
    public synchronized RemoteJwks keysOf(JwksSource.Url source) {
        Fetched known = fetched.get(source.uri());
        if (known != null && known.source().equals(source)) {
            return known.jwks();
        }
        if (http == null) {
            http = httpFactory.get();
        }
        RemoteJwks jwks = known != null ? known.jwks() : new RemoteJwks(source.uri(), http);
        if (known == null) {
            jwks.refresh();
        } else {
            known.refreshing().cancel(false);
        }
        long period = source.refresh().toMillis();
        ScheduledFuture<?> refreshing = scheduler().scheduleWithFixedDelay(jwks::refresh, period, period,
                TimeUnit.MILLISECONDS);
        fetched.put(source.uri(), new Fetched(jwks, source, refreshing));
        return jwks;
    }

    /** Stops refreshing every URL not in {@code inUse}. */
    public synchronized void retainOnly(Set<URI> inUse) {
        fetched.entrySet().removeIf(e -> {
            if (inUse.contains(e.getKey())) {
                return false;
            }
            e.getValue().refreshing().cancel(false);
            return true;
        });
    }

    private ScheduledExecutorService scheduler() {
        if (scheduler == null) {
            scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "tokenservice-jwks-refresh");
                t.setDaemon(true);
                return t;
            });
        }
        return scheduler;
    }

    @Override
    public synchronized void close() {
        fetched.clear();
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }
}
