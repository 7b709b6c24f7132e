package io.tokenservice.server.transport;

import io.grpc.Attributes;
import io.grpc.Grpc;
import io.grpc.ServerTransportFilter;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.tokenservice.server.config.TransportSettings;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * Keeps connections that authenticate nothing from holding the server: a connection on which no call has
 * authenticated within the timeout after it was accepted (a TLS handshake included) is closed, and when
 * more unauthenticated connections are open than the cap, the oldest of them is closed. Closing is abrupt
 * (no GOAWAY): such a connection has nothing in flight worth draining, at most health or reflection calls.
 *
 * <p>Sees each accepted connection through {@link #acceptor()}, a handler on the listening channel's
 * pipeline, and hands it to the calls on it through {@link #transportFilter()}, which puts the
 * {@link Connection} into the transport attributes (found by the peer's address, unique among open
 * connections). At most one INFO line a minute says how many connections it closed.
 */
final class ConnectionGuard {
    private static final Logger LOG = Logger.getLogger(ConnectionGuard.class.getName());
    private static final long REPORT_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final long timeoutNanos;
    private final int maxUnauthenticated;
    private final Duration timeout;
    private final LongSupplier nanoTime;
    private final Map<SocketAddress, Connection> byPeer = new ConcurrentHashMap<>();
    /** In the order they were accepted; guarded by itself. */
    private final LinkedHashSet<Connection> unauthenticated = new LinkedHashSet<>();
    private final AtomicLong closedForTimeout = new AtomicLong();
    private final AtomicLong closedForCap = new AtomicLong();
    private final AtomicLong lastReport;
    private final ChannelHandler acceptor = new Acceptor();

    ConnectionGuard(Duration timeout, int maxUnauthenticated, LongSupplier nanoTime) {
        this.timeout = timeout;
        this.timeoutNanos = timeout.toNanos();
        this.maxUnauthenticated = maxUnauthenticated;
        this.nanoTime = nanoTime;
        this.lastReport = new AtomicLong(nanoTime.getAsLong() - REPORT_INTERVAL_NANOS);
    }

    /** A handler for the listening channel's pipeline: every message it reads is an accepted connection. */
    ChannelHandler acceptor() {
        return acceptor;
    }

    ServerTransportFilter transportFilter() {
        return new ServerTransportFilter() {
            @Override
            public Attributes transportReady(Attributes attributes) {
                SocketAddress peer = attributes.get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
                Connection connection = peer == null ? null : byPeer.get(peer);
                return connection == null ? attributes : attributes.toBuilder().set(Connection.KEY, connection).build();
            }
        };
    }

    /** How many connections are open and not authenticated. */
    int unauthenticatedCount() {
        synchronized (unauthenticated) {
            return unauthenticated.size();
        }
    }

    @ChannelHandler.Sharable
    private final class Acceptor extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object message) {
            if (message instanceof Channel child) {
                accepted(ctx, child);
            }
            ctx.fireChannelRead(message);
        }
    }

    private void accepted(ChannelHandlerContext listener, Channel child) {
        Connection connection = new Connection(this, child);
        SocketAddress peer = child.remoteAddress();
        if (peer != null) {
            byPeer.put(peer, connection);
        }
        Connection oldest = null;
        synchronized (unauthenticated) {
            unauthenticated.add(connection);
            if (unauthenticated.size() > maxUnauthenticated) {
                Iterator<Connection> first = unauthenticated.iterator();
                oldest = first.next();
                first.remove();
            }
        }
        connection.authenticationDeadline = listener.executor().schedule(() -> {
            if (!connection.isAuthenticated()) {
                closedForTimeout.incrementAndGet();
                connection.close();
                report();
            }
        }, timeoutNanos, TimeUnit.NANOSECONDS);
        child.closeFuture().addListener(closed -> forget(connection, peer));
        if (oldest != null) {
            closedForCap.incrementAndGet();
            oldest.close();
            report();
        }
    }

    void authenticated(Connection connection) {
        synchronized (unauthenticated) {
            unauthenticated.remove(connection);
        }
        cancelDeadline(connection);
    }

    private void forget(Connection connection, SocketAddress peer) {
        if (peer != null) {
            byPeer.remove(peer, connection);
        }
        synchronized (unauthenticated) {
            unauthenticated.remove(connection);
        }
        cancelDeadline(connection);
    }

    private static void cancelDeadline(Connection connection) {
        ScheduledFuture<?> deadline = connection.authenticationDeadline;
        if (deadline != null) {
            deadline.cancel(false);
        }
    }

    /** One line a minute at most, whatever the rate of closing. */
    private void report() {
        long now = nanoTime.getAsLong();
        long last = lastReport.get();
        if (now - last < REPORT_INTERVAL_NANOS || !lastReport.compareAndSet(last, now)) {
            return;
        }
        long timedOut = closedForTimeout.getAndSet(0);
        long capped = closedForCap.getAndSet(0);
        LOG.info("closed " + (timedOut + capped) + " unauthenticated connection(s) since the last report: "
                + timedOut + " authenticated no call within " + TransportSettings.describe(timeout) + ", " + capped
                + " were the oldest of more than " + maxUnauthenticated + " unauthenticated connections");
    }
}
