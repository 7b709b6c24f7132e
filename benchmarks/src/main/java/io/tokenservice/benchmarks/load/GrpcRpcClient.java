package io.tokenservice.benchmarks.load;

import com.google.protobuf.MessageLite;
import io.grpc.CallOptions;
import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptors;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.tokenservice.proto.v1.IssuedToken;
import io.tokenservice.proto.v1.TokenServiceGrpc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Native gRPC calls with grpc-java's async API over {@code connections} channels, round robin, all on one Netty
 * event loop thread of their own. Callbacks run on that thread (direct executor): the generator adds no thread
 * hand-off of its own, and an open loop sends from it too ({@link #connectionThread()}).
 */
final class GrpcRpcClient implements RpcClient {
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final EventLoopGroup connectionThread = Epoll.isAvailable()
            ? new EpollEventLoopGroup(1, daemon()) : new NioEventLoopGroup(1, daemon());
    private final List<ManagedChannel> managed = new ArrayList<>();
    private final List<Channel> channels = new ArrayList<>();
    private final AtomicInteger next = new AtomicInteger();
    private final long deadlineNanos;
    private final MethodDescriptor<MessageLite, Object> method;
    private final MessageLite request;

    @SuppressWarnings("unchecked")
    GrpcRpcClient(LoadOptions options) {
        deadlineNanos = options.deadline().toNanos();
        ChannelCredentials credentials = credentials(options);
        for (int i = 0; i < options.connections(); i++) {
            ManagedChannel channel = NettyChannelBuilder.forTarget(options.target(), credentials)
                    .eventLoopGroup(connectionThread)
                    .channelType(Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class)
                    .directExecutor()
                    .userAgent("token-service-load")
                    .build();
            managed.add(channel);
            channels.add(options.apiKey().map(key -> {
                Metadata headers = new Metadata();
                headers.put(AUTHORIZATION, "Bearer " + key);
                return ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
            }).orElse(channel));
        }
        switch (options.rpc()) {
            case ISSUE_RTC -> {
                method = (MethodDescriptor<MessageLite, Object>) (MethodDescriptor<?, ?>) TokenServiceGrpc.getIssueRtcTokenMethod();
                request = Requests.issueRtc(options);
            }
            case RENEW -> {
                method = (MethodDescriptor<MessageLite, Object>) (MethodDescriptor<?, ?>) TokenServiceGrpc.getRenewTokenMethod();
                request = Requests.renew(firstToken(options), options);
            }
            default -> throw new IllegalStateException("unknown rpc " + options.rpc());
        }
    }

    private static ThreadFactory daemon() {
        return r -> {
            Thread t = new Thread(r, "load-connection");
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public Optional<ScheduledExecutorService> connectionThread() {
        return Optional.of(connectionThread.next());
    }

    private static ChannelCredentials credentials(LoadOptions options) {
        if (!options.tls()) {
            return InsecureChannelCredentials.create();
        }
        TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder();
        if (options.tlsCa().isPresent()) {
            try {
                tls.trustManager(options.tlsCa().get().toFile());
            } catch (IOException e) {
                throw new UncheckedIOException("--tls-ca " + options.tlsCa().get() + " cannot be read", e);
            }
        }
        return tls.build();
    }

    /** The token RenewToken renews: one issued before the run, with the same options. */
    private String firstToken(LoadOptions options) {
        IssuedToken issued = TokenServiceGrpc.newBlockingStub(channels.get(0))
                .withDeadlineAfter(options.deadline().toNanos(), TimeUnit.NANOSECONDS)
                .issueRtcToken(Requests.issueRtc(options));
        return issued.getToken();
    }

    /** The request every call sends. */
    MessageLite request() {
        return request;
    }

    @Override
    public void start(Completion completion) {
        Channel channel = channels.get(Math.floorMod(next.getAndIncrement(), channels.size()));
        ClientCalls.asyncUnaryCall(
                channel.newCall(method, CallOptions.DEFAULT.withDeadlineAfter(deadlineNanos, TimeUnit.NANOSECONDS)),
                request,
                new StreamObserver<Object>() {
                    private boolean answered;

                    @Override
                    public void onNext(Object value) {
                        answered = true;
                    }

                    @Override
                    public void onError(Throwable t) {
                        completion.done(Status.fromThrowable(t).getCode().name());
                    }

                    @Override
                    public void onCompleted() {
                        completion.done(answered ? OK : "NO_MESSAGE");
                    }
                });
    }

    @Override
    public void close() {
        for (ManagedChannel channel : managed) {
            channel.shutdownNow();
        }
        try {
            for (ManagedChannel channel : managed) {
                channel.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            connectionThread.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }
}
