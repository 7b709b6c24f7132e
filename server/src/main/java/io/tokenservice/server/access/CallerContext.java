package io.tokenservice.server.access;

import io.grpc.Context;

/** Carries the authenticated {@link Caller} from the authentication interceptor to the RPC handlers. */
public final class CallerContext {
    public static final Context.Key<Caller> CALLER = Context.key("tokenservice-caller");

    private CallerContext() {}

    /** The caller of the current call; unauthenticated calls never reach a handler. */
    public static Caller current() {
        Caller caller = CALLER.get();
        if (caller == null) {
            throw new IllegalStateException("no authenticated caller in the gRPC context");
        }
        return caller;
    }
}
