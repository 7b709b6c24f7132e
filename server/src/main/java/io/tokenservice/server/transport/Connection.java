package io.tokenservice.server.transport;

import io.grpc.Attributes;
import io.grpc.ServerCall;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One accepted network connection, as the calls on it see it ({@link #of}): whether a call on it has
 * authenticated yet, how many public calls (health, reflection) it has open, and its event loop for the
 * timers of its calls. Calls of the in-process transport have none.
 */
public final class Connection {
    static final Attributes.Key<Connection> KEY = Attributes.Key.create("io.tokenservice.server.connection");

    private final ConnectionGuard guard;
    private final Channel channel;
    private final AtomicInteger openPublicCalls = new AtomicInteger();
    private volatile boolean authenticated;
    volatile ScheduledFuture<?> authenticationDeadline;

    Connection(ConnectionGuard guard, Channel channel) {
        this.guard = guard;
        this.channel = channel;
    }

    /** The connection {@code call} arrived on, or null (in-process). */
    public static Connection of(ServerCall<?, ?> call) {
        return call.getAttributes().get(KEY);
    }

    /** A call on this connection presented valid credentials: the connection may stay. */
    public void authenticated() {
        if (!authenticated) {
            authenticated = true;
            guard.authenticated(this);
        }
    }

    public boolean isAuthenticated() {
        return authenticated;
    }

    /** Counts one more open public call, unless {@code max} are open already. */
    public boolean tryOpenPublicCall(int max) {
        while (true) {
            int open = openPublicCalls.get();
            if (open >= max) {
                return false;
            }
            if (openPublicCalls.compareAndSet(open, open + 1)) {
                return true;
            }
        }
    }

    public void publicCallClosed() {
        openPublicCalls.decrementAndGet();
    }

    /**
     * Runs {@code task} after {@code delayNanos} on this connection's event loop, the thread its calls run
     * on, so the task never runs concurrently with them.
     */
    public ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
        return channel.eventLoop().schedule(task, delayNanos, TimeUnit.NANOSECONDS);
    }

    Channel channel() {
        return channel;
    }

    /**
     * Closes the connection, also one accepted so recently that it is not yet registered with its event
     * loop (a handler's {@code handlerAdded} runs once it is).
     */
    void close() {
        channel.pipeline().addFirst(CLOSE_WHEN_ADDED);
    }

    @ChannelHandler.Sharable
    private static final class CloseWhenAdded extends ChannelHandlerAdapter {
        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            ctx.close();
        }
    }

    private static final ChannelHandler CLOSE_WHEN_ADDED = new CloseWhenAdded();
}
