package io.tokenservice.server;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.tokenservice.server.access.Caller;
import io.tokenservice.server.access.CallerContext;

/**
 * Installed when no authenticator is configured: every call runs as {@code anonymous} with
 * {@link Caller.AuthMethod#NONE}, so handlers, gate and audit always see a caller.
 */
final class AnonymousCallerInterceptor implements ServerInterceptor {
    static final Caller ANONYMOUS = new Caller("anonymous", Caller.AuthMethod.NONE);

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        return Contexts.interceptCall(Context.current().withValue(CallerContext.CALLER, ANONYMOUS), call, headers, next);
    }
}
