package io.tokenservice.gateway.forward;

import com.linecorp.armeria.server.ServiceRequestContext;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import java.time.Duration;

/**
 * A gRPC service that forwards every call of a service descriptor to the token server: the same method,
 * the caller's {@link CallerHeaders} and {@link Deadlines deadline}, messages in both directions with
 * flow control, and the server's status and trailers (google.rpc details included) back to the caller.
 * It knows no RPC by name, so a method added to the contract is forwarded without a change here.
 *
 * <p>Armeria serves it as native gRPC, gRPC-Web and HTTP/JSON alike: they all arrive as a
 * {@link ServerCall}.
 */
public final class Forwarding {
    private Forwarding() {}

    public static ServerServiceDefinition of(ServiceDescriptor service, Channel backend, Duration callTimeout) {
        ServerServiceDefinition.Builder definition = ServerServiceDefinition.builder(service);
        for (MethodDescriptor<?, ?> method : service.getMethods()) {
            add(definition, method, backend, callTimeout);
        }
        return definition.build();
    }

    private static <Q, R> void add(ServerServiceDefinition.Builder definition, MethodDescriptor<Q, R> method,
            Channel backend, Duration callTimeout) {
        definition.addMethod(method, new Handler<>(backend, callTimeout));
    }

    private static final class Handler<Q, R> implements ServerCallHandler<Q, R> {
        private final Channel backend;
        private final Duration callTimeout;

        Handler(Channel backend, Duration callTimeout) {
            this.backend = backend;
            this.callTimeout = callTimeout;
        }

        @Override
        public ServerCall.Listener<Q> startCall(ServerCall<Q, R> serverCall, Metadata headers) {
            CallOptions options = CallOptions.DEFAULT
                    .withDeadline(Deadlines.forCall(ServiceRequestContext.current(), callTimeout));
            ClientCall<Q, R> clientCall = backend.newCall(serverCall.getMethodDescriptor(), options);
            Proxy<Q, R> proxy = new Proxy<>(serverCall, clientCall);
            synchronized (proxy) {
                clientCall.start(proxy.new FromBackend(), CallerHeaders.of(headers));
                clientCall.request(1);
                serverCall.request(1);
            }
            return proxy.new FromCaller();
        }
    }

    /**
     * One forwarded call. The caller's side is called on Armeria's event loop, the server's side on the
     * gRPC client's; neither call object is thread-safe, so every use of either holds this object's lock.
     * Nothing here blocks. A message is requested from one side only when the other is ready to take it.
     */
    private static final class Proxy<Q, R> {
        private final ServerCall<Q, R> serverCall;
        private final ClientCall<Q, R> clientCall;
        private boolean callerMessageWanted;
        private boolean backendMessageWanted;

        Proxy(ServerCall<Q, R> serverCall, ClientCall<Q, R> clientCall) {
            this.serverCall = serverCall;
            this.clientCall = clientCall;
        }

        final class FromCaller extends ServerCall.Listener<Q> {
            @Override
            public void onMessage(Q message) {
                synchronized (Proxy.this) {
                    clientCall.sendMessage(message);
                    if (clientCall.isReady()) {
                        serverCall.request(1);
                    } else {
                        callerMessageWanted = true;
                    }
                }
            }

            @Override
            public void onHalfClose() {
                synchronized (Proxy.this) {
                    clientCall.halfClose();
                }
            }

            @Override
            public void onCancel() {
                synchronized (Proxy.this) {
                    clientCall.cancel("the caller cancelled the call or its deadline passed", null);
                }
            }

            @Override
            public void onReady() {
                synchronized (Proxy.this) {
                    if (backendMessageWanted) {
                        backendMessageWanted = false;
                        clientCall.request(1);
                    }
                }
            }
        }

        final class FromBackend extends ClientCall.Listener<R> {
            @Override
            public void onHeaders(Metadata headers) {
                synchronized (Proxy.this) {
                    serverCall.sendHeaders(new Metadata());
                }
            }

            @Override
            public void onMessage(R message) {
                synchronized (Proxy.this) {
                    serverCall.sendMessage(message);
                    if (serverCall.isReady()) {
                        clientCall.request(1);
                    } else {
                        backendMessageWanted = true;
                    }
                }
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
                Status forCaller = BackendStatus.forCaller(status);
                synchronized (Proxy.this) {
                    serverCall.close(forCaller, BackendStatus.isTransport(status) ? new Metadata() : trailers);
                }
            }

            @Override
            public void onReady() {
                synchronized (Proxy.this) {
                    if (callerMessageWanted) {
                        callerMessageWanted = false;
                        serverCall.request(1);
                    }
                }
            }
        }
    }
}
