package io.tokenservice.server.transport;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.tokenservice.server.access.Caller;
import io.tokenservice.server.access.CallerContext;
import io.tokenservice.server.access.Refusal;
import io.tokenservice.server.access.Rpc;
import io.tokenservice.server.config.TransportSettings;
import io.tokenservice.server.rpc.CallRefusals;
import io.tokenservice.server.rpc.RpcErrors;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;

/**
 * What a call may hold of its connection, checked once authentication has run (register it server-wide,
 * after the authenticator):
 * <ul>
 *   <li>a TokenService call that got past authentication marks its connection authenticated, so the
 *       {@link ConnectionGuard} lets the connection stay;</li>
 *   <li>a public call (health, reflection: no credentials needed) is refused with RESOURCE_EXHAUSTED,
 *       ErrorInfo {@value RpcErrors#REASON_TOO_MANY_OPEN_CALLS}, when its connection has
 *       {@code maxPublicCallsPerConnection} of them open, so that unauthenticated connections cannot hold
 *       thousands of streams;</li>
 *   <li>every call must send its request within the first-message timeout: for unary and
 *       server-streaming RPCs the message and the end of the request stream, for the others the first
 *       message. Otherwise it ends with DEADLINE_EXCEEDED (audited for TokenService RPCs, with the caller),
 *       and whatever it held is freed.</li>
 * </ul>
 * Timers run on the connection's event loop, the thread its calls run on (the server's executor is
 * direct), so they never race with the call. In-process calls have no connection and no such limits.
 */
public final class CallLimits implements ServerInterceptor {
    private final Duration firstMessageTimeout;
    private final long firstMessageTimeoutNanos;
    private final int maxPublicCallsPerConnection;
    private final CallRefusals refusals;

    public CallLimits(Duration firstMessageTimeout, int maxPublicCallsPerConnection, CallRefusals refusals) {
        this.firstMessageTimeout = firstMessageTimeout;
        this.firstMessageTimeoutNanos = firstMessageTimeout.toNanos();
        this.maxPublicCallsPerConnection = maxPublicCallsPerConnection;
        this.refusals = refusals;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        Connection connection = Connection.of(call);
        if (connection == null) {
            return next.startCall(call, headers);
        }
        Rpc rpc = Rpc.ofFullMethodName(call.getMethodDescriptor().getFullMethodName());
        Caller caller = CallerContext.CALLER.get();
        boolean isPublic = rpc == null;
        if (!isPublic) {
            if (caller != null) {
                connection.authenticated();
            }
        } else if (!connection.tryOpenPublicCall(maxPublicCallsPerConnection)) {
            return refusals.refuse(call, null, null, RpcErrors.resourceExhausted(RpcErrors.REASON_TOO_MANY_OPEN_CALLS,
                    "this connection has " + maxPublicCallsPerConnection + " health or reflection calls open, "
                            + "as many as allowed: end one first",
                    Map.of("limit", Integer.toString(maxPublicCallsPerConnection))));
        }
        Guarded<Q, R> guarded = new Guarded<>(call, rpc, caller, connection, isPublic);
        guarded.delegate = next.startCall(guarded, headers);
        if (!guarded.closed) {
            guarded.deadline = connection.schedule(guarded::expire, firstMessageTimeoutNanos);
        }
        return guarded.listener;
    }

    /** One call: its first-message timer, whether it was closed, and its public-call slot. */
    private final class Guarded<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
        private final Rpc rpc;
        private final Caller caller;
        private final Connection connection;
        private final boolean isPublic;
        private final boolean requestIsOneMessage;
        private final ServerCall.Listener<Q> listener = new Listener();
        ServerCall.Listener<Q> delegate;
        ScheduledFuture<?> deadline;
        private volatile boolean closed;
        private volatile boolean requestReceived;
        private volatile boolean expired;
        private boolean released;

        Guarded(ServerCall<Q, R> call, Rpc rpc, Caller caller, Connection connection, boolean isPublic) {
            super(call);
            this.rpc = rpc;
            this.caller = caller;
            this.connection = connection;
            this.isPublic = isPublic;
            this.requestIsOneMessage = call.getMethodDescriptor().getType().clientSendsOneMessage();
        }

        @Override
        public void close(Status status, Metadata trailers) {
            closed = true;
            super.close(status, trailers);
        }

        void expire() {
            if (closed || requestReceived) {
                return;
            }
            expired = true;
            closed = true;
            refusals.end(delegate(), rpc, caller, Refusal.of(Status.DEADLINE_EXCEEDED.withDescription("no request within "
                    + TransportSettings.describe(firstMessageTimeout) + " of the call's start: send the request "
                    + (requestIsOneMessage ? "message and end the request stream" : "'s first message")
                    + " right after the headers")));
        }

        private void requestReceived() {
            requestReceived = true;
            ScheduledFuture<?> d = deadline;
            if (d != null) {
                d.cancel(false);
            }
        }

        private void ended() {
            requestReceived();
            if (isPublic && !released) {
                released = true;
                connection.publicCallClosed();
            }
        }

        private final class Listener extends ServerCall.Listener<Q> {
            @Override
            public void onMessage(Q message) {
                if (expired) {
                    return;
                }
                if (!requestIsOneMessage) {
                    requestReceived();
                }
                delegate.onMessage(message);
            }

            @Override
            public void onHalfClose() {
                if (expired) {
                    return;
                }
                requestReceived();
                delegate.onHalfClose();
            }

            @Override
            public void onCancel() {
                ended();
                delegate.onCancel();
            }

            @Override
            public void onComplete() {
                ended();
                delegate.onComplete();
            }

            @Override
            public void onReady() {
                delegate.onReady();
            }
        }
    }
}
