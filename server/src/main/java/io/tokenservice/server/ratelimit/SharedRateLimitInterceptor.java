package io.tokenservice.server.ratelimit;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.tokenservice.server.access.Caller;
import io.tokenservice.server.access.CallerContext;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Asks the {@link SharedRateLimiter} for the caller's token as soon as the call's headers are authenticated,
 * without holding the transport thread: the call is started (and its request read) only when Redis has
 * answered, and the answer travels to the admission ({@code CallerSecurity.admit}) in {@link #WAIT_NANOS}. Until then the listener keeps
 * what the transport delivers (a cancellation, readiness) and hands it on, in order, once the call starts.
 * Register it after the authenticator.
 */
public final class SharedRateLimitInterceptor implements ServerInterceptor {
    private static final Logger LOG = Logger.getLogger(SharedRateLimitInterceptor.class.getName());

    /** Nanoseconds until the caller's shared bucket has a token; 0 when this call took one. */
    private static final Context.Key<Long> WAIT_NANOS = Context.key("tokenservice-shared-rate-limit-wait");

    private final SharedRateLimiter limiter;
    private final Function<Caller, String> bucketKey;
    private final Function<Caller, RateLimit> limitOf;

    /**
     * @param bucketKey the bucket a caller draws from
     * @param limitOf the caller's limit in the configuration in force
     */
    public SharedRateLimitInterceptor(SharedRateLimiter limiter, Function<Caller, String> bucketKey,
            Function<Caller, RateLimit> limitOf) {
        this.limiter = Objects.requireNonNull(limiter, "limiter");
        this.bucketKey = Objects.requireNonNull(bucketKey, "bucketKey");
        this.limitOf = Objects.requireNonNull(limitOf, "limitOf");
    }

    /** The answer for the current call, if it passed this interceptor. */
    public static Optional<Long> waitNanos() {
        return Optional.ofNullable(WAIT_NANOS.get());
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
            ServerCallHandler<ReqT, RespT> next) {
        Caller caller = CallerContext.CALLER.get();
        if (caller == null) {
            return next.startCall(call, headers);
        }
        CompletableFuture<Long> wait = limiter.tryAcquire(bucketKey.apply(caller), limitOf.apply(caller));
        Context context = Context.current();
        if (wait.isDone()) {
            return Contexts.interceptCall(context.withValue(WAIT_NANOS, wait.join()), call, headers, next);
        }
        HeldListener<ReqT> held = new HeldListener<>();
        wait.whenComplete((nanos, error) -> {
            try {
                held.release(Contexts.interceptCall(context.withValue(WAIT_NANOS, nanos), call, headers, next));
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "starting a call after its shared rate-limit answer failed (a server bug)", e);
                call.close(Status.INTERNAL.withDescription("internal error; this is a server bug, please report it"),
                        new Metadata());
            }
        });
        return held;
    }

    /**
     * A listener that queues events until {@link #release} names the real one. Whoever finds the queue idle
     * drains it (the transport thread or the thread that released it), so no thread waits for another and
     * events reach the real listener one at a time, in order.
     */
    private static final class HeldListener<ReqT> extends ServerCall.Listener<ReqT> {
        private final Queue<Consumer<ServerCall.Listener<ReqT>>> events = new ConcurrentLinkedQueue<>();
        private final AtomicInteger drains = new AtomicInteger();
        private volatile ServerCall.Listener<ReqT> delegate;

        void release(ServerCall.Listener<ReqT> listener) {
            delegate = listener;
            drain();
        }

        private void submit(Consumer<ServerCall.Listener<ReqT>> event) {
            events.add(event);
            drain();
        }

        private void drain() {
            if (drains.getAndIncrement() != 0) {
                return;
            }
            do {
                ServerCall.Listener<ReqT> listener = delegate;
                if (listener != null) {
                    for (Consumer<ServerCall.Listener<ReqT>> event; (event = events.poll()) != null; ) {
                        try {
                            event.accept(listener);
                        } catch (RuntimeException e) {
                            LOG.log(Level.SEVERE, "a call's listener failed (a server bug)", e);
                        }
                    }
                }
            } while (drains.decrementAndGet() != 0);
        }

        @Override
        public void onMessage(ReqT message) {
            submit(l -> l.onMessage(message));
        }

        @Override
        public void onHalfClose() {
            submit(ServerCall.Listener::onHalfClose);
        }

        @Override
        public void onCancel() {
            submit(ServerCall.Listener::onCancel);
        }

        @Override
        public void onComplete() {
            submit(ServerCall.Listener::onComplete);
        }

        @Override
        public void onReady() {
            submit(ServerCall.Listener::onReady);
        }
    }
}
