package io.tokenservice.server.transport;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.IoHandlerFactory;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.ServerChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.util.ResourceLeakDetector;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.tokenservice.server.config.TransportSettings;
import java.util.concurrent.TimeUnit;

/**
 * The Netty transport of one server with its {@link TransportSettings}: the HTTP/2 settings and connection
 * management of gRPC's {@link NettyServerBuilder}, plus the {@link ConnectionGuard} on accepted
 * connections. It owns the event loops (epoll where available, as gRPC's default), because a guard on the
 * listening channel needs its own channel factory, and gRPC then wants the event loops too; {@link #close()}
 * stops them once the server has terminated.
 *
 * <p>Netty's buffer leak detection is off unless {@value #LEAK_DETECTION_PROPERTY} says otherwise: at its
 * default level it tracks one buffer in 128 with a stack trace taken at allocation and at release, which
 * here was 0.13 exceptions constructed per call (with their stack traces) for a diagnostic of Netty's own
 * buffer handling that matters to code which handles Netty buffers itself, which ours does not.
 */
public final class NettyTransport implements AutoCloseable {
    /** Set it (e.g. {@code -D...=simple}) to turn Netty's leak detection back on. */
    public static final String LEAK_DETECTION_PROPERTY = "io.grpc.netty.shaded.io.netty.leakDetection.level";

    private final EventLoopGroup acceptor;
    private final EventLoopGroup workers;
    private final ConnectionGuard guard;

    private NettyTransport(EventLoopGroup acceptor, EventLoopGroup workers, ConnectionGuard guard) {
        this.acceptor = acceptor;
        this.workers = workers;
        this.guard = guard;
    }

    /**
     * Applies {@code limits} and the connection guard to {@code builder}; the returned transport must be
     * closed after the server built from it has terminated.
     */
    public static NettyTransport configure(NettyServerBuilder builder, TransportSettings limits) {
        if (System.getProperty(LEAK_DETECTION_PROPERTY) == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        EventLoopGroup acceptor = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("tokenservice-accept", true), io);
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(0, new DefaultThreadFactory("tokenservice-netty", true), io);
        ConnectionGuard guard = new ConnectionGuard(limits.unauthenticatedConnectionTimeout(),
                limits.maxUnauthenticatedConnections(), System::nanoTime);
        builder.channelFactory(() -> {
                    ServerChannel channel;
                    try {
                        channel = channelType.getConstructor().newInstance();
                    } catch (ReflectiveOperationException e) {
                        throw new IllegalStateException("cannot create a " + channelType.getSimpleName(), e);
                    }
                    channel.pipeline().addLast(guard.acceptor());
                    return channel;
                })
                .bossEventLoopGroup(acceptor)
                .workerEventLoopGroup(workers)
                .addTransportFilter(guard.transportFilter())
                .maxConcurrentCallsPerConnection(limits.maxConcurrentCallsPerConnection())
                .maxInboundMessageSize(limits.maxRequestBytes())
                .maxInboundMetadataSize(limits.transportHeaderListBytes())
                .permitKeepAliveTime(limits.permitKeepAliveTime().toNanos(), TimeUnit.NANOSECONDS)
                .permitKeepAliveWithoutCalls(limits.permitKeepAliveWithoutCalls());
        if (!limits.maxConnectionIdle().isZero()) {
            builder.maxConnectionIdle(limits.maxConnectionIdle().toNanos(), TimeUnit.NANOSECONDS);
        }
        if (!limits.maxConnectionAge().isZero()) {
            builder.maxConnectionAge(limits.maxConnectionAge().toNanos(), TimeUnit.NANOSECONDS)
                    .maxConnectionAgeGrace(limits.maxConnectionAgeGrace().toNanos(), TimeUnit.NANOSECONDS);
        }
        return new NettyTransport(acceptor, workers, guard);
    }

    /** Unauthenticated connections open now (for tests and diagnostics). */
    public int unauthenticatedConnections() {
        return guard.unauthenticatedCount();
    }

    /** Stops the event loops; call after the server has terminated. */
    @Override
    public void close() {
        acceptor.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
