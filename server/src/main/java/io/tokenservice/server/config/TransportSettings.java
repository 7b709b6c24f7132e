package io.tokenservice.server.config;

import java.time.Duration;
import java.util.Objects;

/**
 * What one connection and one call may hold of the server, so that no caller, authenticated or not,
 * careless or hostile, can take the service from the others. The defaults ({@link #DEFAULTS}) suit a
 * token service whose calls are small and answered in microseconds; every limit can be changed through
 * the environment or the {@code transport:} section of the configuration file (see README).
 *
 * @param maxConcurrentCallsPerConnection calls one HTTP/2 connection may have open at once (the
 *     SETTINGS_MAX_CONCURRENT_STREAMS it is told); further streams are refused with REFUSED_STREAM
 * @param maxPublicCallsPerConnection of those, calls to the services that need no credentials (health,
 *     reflection); a further one ends with RESOURCE_EXHAUSTED, ErrorInfo {@code TOO_MANY_OPEN_CALLS}
 * @param maxRequestBytes largest request message; a larger one ends the call with RESOURCE_EXHAUSTED
 *     without RetryInfo before it is read
 * @param maxHeaderListBytes largest request header list (HTTP/2 size: name + value + 32 per field);
 *     a larger one ends the call with RESOURCE_EXHAUSTED, ErrorInfo {@code HEADERS_TOO_LARGE}, before
 *     authentication. The HTTP/2 layer accepts {@value #HEADER_LIST_HEADROOM} times as much, so that this
 *     answer, not a bare HTTP 431 or a closed connection, is what clients get
 * @param firstMessageTimeout how long a call may take to send its request (for unary RPCs: the message
 *     and the end of the request stream) after its headers; then it ends with DEADLINE_EXCEEDED
 * @param maxConnectionIdle a connection without calls for this long is closed gracefully (GOAWAY);
 *     {@link Duration#ZERO} = never
 * @param maxConnectionAge a connection this old is closed gracefully (GOAWAY; gRPC adds up to 10 %
 *     jitter); {@link Duration#ZERO} = never
 * @param maxConnectionAgeGrace how long calls still open on a connection closed for its age may run
 * @param permitKeepAliveTime the shortest interval between a client's keepalive pings the server
 *     tolerates; a client pinging more often is sent GOAWAY ENHANCE_YOUR_CALM ("too_many_pings")
 * @param permitKeepAliveWithoutCalls whether clients may send keepalive pings on a connection without calls
 * @param unauthenticatedConnectionTimeout a connection on which no call has authenticated this long after it
 *     was accepted (TLS handshake included) is closed
 * @param maxUnauthenticatedConnections connections not yet authenticated the server holds at once; when a
 *     new one would exceed it, the oldest of them is closed
 */
public record TransportSettings(int maxConcurrentCallsPerConnection, int maxPublicCallsPerConnection,
        int maxRequestBytes, int maxHeaderListBytes,
        Duration firstMessageTimeout, Duration maxConnectionIdle, Duration maxConnectionAge,
        Duration maxConnectionAgeGrace, Duration permitKeepAliveTime, boolean permitKeepAliveWithoutCalls,
        Duration unauthenticatedConnectionTimeout, int maxUnauthenticatedConnections) {

    public static final int MAX_CALLS_PER_CONNECTION = 100_000;
    public static final int MIN_REQUEST_BYTES = 1024;
    public static final int MAX_REQUEST_BYTES = 16 * 1024 * 1024;
    public static final int MIN_HEADER_LIST_BYTES = 1024;
    public static final int MAX_HEADER_LIST_BYTES = 64 * 1024;
    /** How much more than {@code maxHeaderListBytes} the HTTP/2 layer accepts (and this server answers). */
    public static final int HEADER_LIST_HEADROOM = 8;
    public static final int MAX_UNAUTHENTICATED_CONNECTIONS = 1_000_000;
    /** Upper bound of every duration here (zero-means-never ones included). */
    public static final Duration MAX_DURATION = Duration.ofDays(30);
    /** gRPC's lower bound for idle and age limits. */
    public static final Duration MIN_CONNECTION_IDLE_OR_AGE = Duration.ofSeconds(1);

    /** Limits a platform team can leave alone. */
    public static final TransportSettings DEFAULTS = new TransportSettings(
            100,
            10,
            64 * 1024,
            8 * 1024,
            Duration.ofSeconds(10),
            Duration.ofSeconds(60),
            Duration.ofMinutes(30),
            Duration.ofSeconds(30),
            Duration.ofSeconds(20),
            true,
            Duration.ofSeconds(30),
            1_000);

    public TransportSettings {
        Objects.requireNonNull(firstMessageTimeout, "firstMessageTimeout");
        Objects.requireNonNull(maxConnectionIdle, "maxConnectionIdle");
        Objects.requireNonNull(maxConnectionAge, "maxConnectionAge");
        Objects.requireNonNull(maxConnectionAgeGrace, "maxConnectionAgeGrace");
        Objects.requireNonNull(permitKeepAliveTime, "permitKeepAliveTime");
        Objects.requireNonNull(unauthenticatedConnectionTimeout, "unauthenticatedConnectionTimeout");
        range("maxConcurrentCallsPerConnection", maxConcurrentCallsPerConnection, 1, MAX_CALLS_PER_CONNECTION);
        range("maxPublicCallsPerConnection", maxPublicCallsPerConnection, 1, maxConcurrentCallsPerConnection);
        range("maxRequestBytes", maxRequestBytes, MIN_REQUEST_BYTES, MAX_REQUEST_BYTES);
        range("maxHeaderListBytes", maxHeaderListBytes, MIN_HEADER_LIST_BYTES, MAX_HEADER_LIST_BYTES);
        range("maxUnauthenticatedConnections", maxUnauthenticatedConnections, 1, MAX_UNAUTHENTICATED_CONNECTIONS);
        positive("firstMessageTimeout", firstMessageTimeout);
        positive("unauthenticatedConnectionTimeout", unauthenticatedConnectionTimeout);
        zeroOrAtLeastOneSecond("maxConnectionIdle", maxConnectionIdle);
        zeroOrAtLeastOneSecond("maxConnectionAge", maxConnectionAge);
        notNegative("maxConnectionAgeGrace", maxConnectionAgeGrace);
        notNegative("permitKeepAliveTime", permitKeepAliveTime);
    }

    /** The header list size the HTTP/2 layer accepts: {@code maxHeaderListBytes} times the headroom. */
    public int transportHeaderListBytes() {
        return maxHeaderListBytes * HEADER_LIST_HEADROOM;
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    @Override
    public String toString() {
        return "max " + maxConcurrentCallsPerConnection + " calls per connection (" + maxPublicCallsPerConnection
                + " to health/reflection), requests up to "
                + maxRequestBytes + " bytes and " + maxHeaderListBytes + " header bytes, first message within "
                + describe(firstMessageTimeout) + ", connections idle " + never(maxConnectionIdle) + ", age "
                + never(maxConnectionAge) + " (grace " + describe(maxConnectionAgeGrace) + "), keepalive pings at most every "
                + describe(permitKeepAliveTime) + (permitKeepAliveWithoutCalls ? "" : " and only during calls")
                + ", unauthenticated connections closed after " + describe(unauthenticatedConnectionTimeout)
                + ", at most " + maxUnauthenticatedConnections + " of them";
    }

    private static String never(Duration d) {
        return d.isZero() ? "unlimited" : describe(d);
    }

    /** "30 s", or "500 ms" when not whole seconds. */
    public static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static void range(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new ConfigException(name + " must be from " + min + " to " + max + ", not " + value);
        }
    }

    private static void positive(String name, Duration value) {
        if (value.isNegative() || value.isZero() || value.compareTo(MAX_DURATION) > 0) {
            throw new ConfigException(name + " must be above 0 and at most " + MAX_DURATION.toDays()
                    + " days, not " + value);
        }
    }

    private static void notNegative(String name, Duration value) {
        if (value.isNegative() || value.compareTo(MAX_DURATION) > 0) {
            throw new ConfigException(name + " must be from 0 to " + MAX_DURATION.toDays() + " days, not "
                    + value);
        }
    }

    private static void zeroOrAtLeastOneSecond(String name, Duration value) {
        notNegative(name, value);
        if (!value.isZero() && value.compareTo(MIN_CONNECTION_IDLE_OR_AGE) < 0) {
            throw new ConfigException(name + " must be 0 (never) or at least 1 second, not " + value);
        }
    }

    /** Changes some limits of a {@link TransportSettings}; {@link #build()} checks them all. */
    public static final class Builder {
        private int maxConcurrentCallsPerConnection;
        private int maxPublicCallsPerConnection;
        private int maxRequestBytes;
        private int maxHeaderListBytes;
        private Duration firstMessageTimeout;
        private Duration maxConnectionIdle;
        private Duration maxConnectionAge;
        private Duration maxConnectionAgeGrace;
        private Duration permitKeepAliveTime;
        private boolean permitKeepAliveWithoutCalls;
        private Duration unauthenticatedConnectionTimeout;
        private int maxUnauthenticatedConnections;

        private Builder(TransportSettings from) {
            maxConcurrentCallsPerConnection = from.maxConcurrentCallsPerConnection;
            maxPublicCallsPerConnection = from.maxPublicCallsPerConnection;
            maxRequestBytes = from.maxRequestBytes;
            maxHeaderListBytes = from.maxHeaderListBytes;
            firstMessageTimeout = from.firstMessageTimeout;
            maxConnectionIdle = from.maxConnectionIdle;
            maxConnectionAge = from.maxConnectionAge;
            maxConnectionAgeGrace = from.maxConnectionAgeGrace;
            permitKeepAliveTime = from.permitKeepAliveTime;
            permitKeepAliveWithoutCalls = from.permitKeepAliveWithoutCalls;
            unauthenticatedConnectionTimeout = from.unauthenticatedConnectionTimeout;
            maxUnauthenticatedConnections = from.maxUnauthenticatedConnections;
        }

        public Builder maxConcurrentCallsPerConnection(int calls) {
            maxConcurrentCallsPerConnection = calls;
            return this;
        }

        public Builder maxPublicCallsPerConnection(int calls) {
            maxPublicCallsPerConnection = calls;
            return this;
        }

        public Builder maxRequestBytes(int bytes) {
            maxRequestBytes = bytes;
            return this;
        }

        public Builder maxHeaderListBytes(int bytes) {
            maxHeaderListBytes = bytes;
            return this;
        }

        public Builder firstMessageTimeout(Duration timeout) {
            firstMessageTimeout = timeout;
            return this;
        }

        public Builder maxConnectionIdle(Duration idle) {
            maxConnectionIdle = idle;
            return this;
        }

        public Builder maxConnectionAge(Duration age) {
            maxConnectionAge = age;
            return this;
        }

        public Builder maxConnectionAgeGrace(Duration grace) {
            maxConnectionAgeGrace = grace;
            return this;
        }

        public Builder permitKeepAliveTime(Duration time) {
            permitKeepAliveTime = time;
            return this;
        }

        public Builder permitKeepAliveWithoutCalls(boolean permit) {
            permitKeepAliveWithoutCalls = permit;
            return this;
        }

        public Builder unauthenticatedConnectionTimeout(Duration timeout) {
            unauthenticatedConnectionTimeout = timeout;
            return this;
        }

        public Builder maxUnauthenticatedConnections(int connections) {
            maxUnauthenticatedConnections = connections;
            return this;
        }

        public TransportSettings build() {
            return new TransportSettings(maxConcurrentCallsPerConnection, maxPublicCallsPerConnection,
                    maxRequestBytes, maxHeaderListBytes,
                    firstMessageTimeout, maxConnectionIdle, maxConnectionAge, maxConnectionAgeGrace,
                    permitKeepAliveTime, permitKeepAliveWithoutCalls, unauthenticatedConnectionTimeout,
                    maxUnauthenticatedConnections);
        }
    }
}
