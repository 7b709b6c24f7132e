package io.tokenservice.server.ratelimit;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * One bucket per key for every replica, in Redis: the same GCRA as {@link TokenBucket}, run by one Lua script
 * per call (one round trip, {@code EVALSHA}) on Redis's clock, so replicas with skewed clocks share one
 * timeline. The answer is the exact wait of the shared bucket, for RetryInfo.
 *
 * <p>Never blocks the caller: {@link #tryAcquire} returns at once and completes when Redis answers, on
 * Lettuce's I/O thread. When Redis does not answer within the timeout, refuses the command or is not connected,
 * the call is decided by this replica's own bucket ({@link RateLimiter}) with the same limit: callers within
 * their limits are never refused because Redis is out, and during an outage each replica allows a caller its
 * whole limit. One log line when an outage starts and one when Redis answers again; {@link #status()} counts.
 */
public final class SharedRateLimiter implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SharedRateLimiter.class.getName());
    /**
     * How long {@link #start} waits for the first connection before serving with replica-local limits, and how
     * long a connection attempt (TCP, TLS, authentication) may take. Calls never wait for a connection attempt.
     */
    static final Duration CONNECT_WAIT = Duration.ofSeconds(5);
    /** Between two attempts to connect when Redis was unreachable at start. */
    private static final long CONNECT_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final String KEY_PREFIX = "tokenservice:ratelimit:";

    /**
     * KEYS[1] holds the theoretical arrival time "seconds nanoseconds" of the bucket's next call (absent = full);
     * ARGV: interval and tolerance (interval times burst) in nanoseconds. Arithmetic is relative to now, so
     * Lua's doubles stay exact. Returns 0 (token taken) or the nanoseconds until the next token. The key
     * expires when the bucket is full again.
     */
    static final String SCRIPT = """
            local interval = tonumber(ARGV[1])
            local tolerance = tonumber(ARGV[2])
            local now = redis.call('TIME')
            local nowSeconds = tonumber(now[1])
            local nowNanos = tonumber(now[2]) * 1000
            local ahead = 0
            local stored = redis.call('GET', KEYS[1])
            if stored then
              local s, n = string.match(stored, '^(%d+) (%d+)$')
              if s then
                ahead = (tonumber(s) - nowSeconds) * 1000000000 + (tonumber(n) - nowNanos)
                if ahead < 0 then ahead = 0 end
              end
            end
            local arrival = ahead + interval
            local wait = arrival - tolerance
            if wait > 0 then
              return wait
            end
            local at = nowNanos + arrival
            redis.call('SET', KEYS[1], string.format('%d %d', nowSeconds + math.floor(at / 1000000000),
              at % 1000000000), 'PX', math.ceil(arrival / 1000000))
            return 0
            """;
    private static final String SCRIPT_SHA = sha1Hex(SCRIPT);

    private final RedisClient client;
    private final ClientResources resources;
    private final RedisURI uri;
    private final String endpoint;
    private final RateLimiter fallback;
    private final LongSupplier nanoTime;
    private final SharedLimitStatus status = new SharedLimitStatus();
    private final AtomicBoolean connecting = new AtomicBoolean();
    private volatile StatefulRedisConnection<String, String> connection;
    private volatile long nextConnectNanos;
    private volatile long outageStartNanos;
    private volatile boolean closed;

    private SharedRateLimiter(RedisURI uri, Optional<Path> caFile, Duration timeout, RateLimiter fallback,
            LongSupplier nanoTime) {
        this.uri = uri;
        uri.setTimeout(CONNECT_WAIT);
        this.endpoint = (uri.isSsl() ? "rediss://" : "redis://") + uri.getHost() + ":" + uri.getPort()
                + (uri.getDatabase() == 0 ? "" : "/" + uri.getDatabase());
        this.fallback = fallback;
        this.nanoTime = nanoTime;
        // One connection, so one I/O thread: the calls that Redis answers continue on it (CPU only: validate,
        // sign, audit), as they would on the transport thread without Redis.
        this.resources = ClientResources.builder()
                .ioThreadPoolSize(1)
                .computationThreadPoolSize(1)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(100), Duration.ofSeconds(2), 2,
                        TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources);
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> channel, SocketAddress address) {
                status.connected(true);
            }

            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> channel) {
                status.connected(false);
            }
        });
        ClientOptions.Builder options = ClientOptions.builder()
                .autoReconnect(true)
                // While reconnecting, fail at once (and fall back) rather than queue behind the timeout.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_WAIT).build());
        caFile.ifPresent(ca -> options.sslOptions(SslOptions.builder().trustManager(ca.toFile()).build()));
        client.setOptions(options.build());
    }

    /**
     * Connects to Redis (waiting up to 5 s; if it is unreachable the server
     * starts anyway, limiting per replica, and keeps trying).
     *
     * @param uri where, with credentials and TLS
     * @param caFile PEM certificates that sign the server's certificate for {@code rediss://}, beside the JVM's
     * @param timeout how long a call waits for Redis before its own bucket decides
     * @param fallback the replica's own buckets, used while Redis does not answer
     */
    public static SharedRateLimiter start(RedisURI uri, Optional<Path> caFile, Duration timeout,
            RateLimiter fallback, LongSupplier nanoTime) {
        SharedRateLimiter limiter = new SharedRateLimiter(Objects.requireNonNull(uri, "uri"),
                Objects.requireNonNull(caFile, "caFile"), Objects.requireNonNull(timeout, "timeout"),
                Objects.requireNonNull(fallback, "fallback"), Objects.requireNonNull(nanoTime, "nanoTime"));
        try {
            limiter.connect().get(CONNECT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // connect() has logged the outage; calls are limited per replica until Redis answers
        }
        return limiter;
    }

    /** Where the buckets are, safe to log: scheme, host, port and database, never credentials. */
    public String endpoint() {
        return endpoint;
    }

    /** The outage state and the counts, for metrics. */
    public SharedLimitStatus status() {
        return status;
    }

    /**
     * Takes one token from the shared bucket {@code key}, or from this replica's own if Redis does not answer.
     * Never completes exceptionally.
     *
     * @return 0 if taken, otherwise the nanoseconds until the bucket has a token
     */
    public CompletableFuture<Long> tryAcquire(String key, RateLimit limit) {
        long sentAt = status.epoch();
        StatefulRedisConnection<String, String> c = connection;
        if (c == null) {
            connectIfDue();
            return CompletableFuture.completedFuture(fallback(sentAt, key, limit, null));
        }
        String[] keys = {KEY_PREFIX + limit.intervalNanos() + ":" + limit.burst() + ":" + key};
        String interval = Long.toString(limit.intervalNanos());
        String tolerance = Long.toString(limit.intervalNanos() * limit.burst());
        RedisAsyncCommands<String, String> redis = c.async();
        CompletionStage<Long> answer = redis.<Long>evalsha(SCRIPT_SHA, ScriptOutputType.INTEGER, keys, interval,
                tolerance);
        return answer
                // An empty script cache (Redis restarted, or a new one): EVAL sends the script and caches it.
                .exceptionallyCompose(e -> unwrap(e) instanceof RedisNoScriptException
                        ? redis.<Long>eval(SCRIPT, ScriptOutputType.INTEGER, keys, interval, tolerance)
                        : CompletableFuture.failedStage(e))
                .handle((wait, error) -> error == null ? shared(sentAt, wait) : fallback(sentAt, key, limit, error))
                .toCompletableFuture();
    }

    private long shared(long sentAt, long wait) {
        if (status.answered(sentAt)) {
            long seconds = TimeUnit.NANOSECONDS.toSeconds(nanoTime.getAsLong() - outageStartNanos);
            LOG.info("shared rate limits restored: Redis " + endpoint + " answers again after an outage of about "
                    + seconds + " s (" + status.fallbackCalls() + " calls limited per replica since start)");
        }
        return wait;
    }

    private long fallback(long sentAt, String key, RateLimit limit, Throwable error) {
        if (status.failed(sentAt)) {
            outageStarted(error);
        }
        return fallback.tryAcquire(key, limit);
    }

    private void outageStarted(Throwable error) {
        outageStartNanos = nanoTime.getAsLong();
        LOG.warning("shared rate limits unavailable: Redis " + endpoint + " " + describe(error)
                + "; each replica limits every caller on its own until Redis answers again");
    }

    private void connectIfDue() {
        if (!closed && nanoTime.getAsLong() - nextConnectNanos >= 0 && connecting.compareAndSet(false, true)) {
            connect();
        }
    }

    private CompletableFuture<StatefulRedisConnection<String, String>> connect() {
        long sentAt = status.epoch();
        connecting.set(true);
        return client.connectAsync(StringCodec.UTF8, uri).toCompletableFuture().whenComplete((c, error) -> {
            if (c != null) {
                if (closed) {
                    c.closeAsync();
                } else {
                    connection = c;
                    status.connected(true);
                }
            } else {
                status.connected(false);
                nextConnectNanos = nanoTime.getAsLong() + CONNECT_RETRY_NANOS;
                if (status.unreachable(sentAt)) {
                    outageStarted(error);
                }
            }
            connecting.set(false);
        });
    }

    /**
     * What went wrong: the innermost cause's first line (Redis's own error such as WRONGPASS, or the socket's),
     * which never holds the credentials; the endpoint is named separately, without them.
     */
    private String describe(Throwable error) {
        if (error == null) {
            return "is not connected";
        }
        Throwable cause = unwrap(error);
        if (cause instanceof io.lettuce.core.RedisCommandTimeoutException) {
            return "did not answer in time";
        }
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName()
                : cause.getMessage().lines().findFirst().orElse("");
        return "failed (" + message + ")";
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    private static String sha1Hex(String script) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                    .digest(script.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-1", e);
        }
    }

    /** Closes the connection and Lettuce's threads. */
    @Override
    public void close() {
        closed = true;
        StatefulRedisConnection<String, String> c = connection;
        if (c != null) {
            c.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    @Override
    public String toString() {
        return "shared rate limits at " + endpoint + " (" + status + ")";
    }
}
