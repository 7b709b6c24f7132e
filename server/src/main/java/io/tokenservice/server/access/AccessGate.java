package io.tokenservice.server.access;

import io.grpc.StatusRuntimeException;

/**
 * Decides whether a caller may have what it asks for, in the order that keeps refusals cheap and says
 * nothing to a caller that it may not know:
 * <ol>
 *   <li>{@link #admit}: when the call starts, before its request is read (rate limit; may this caller
 *       call this RPC at all);</li>
 *   <li>{@link #admitApp}: as soon as the request names its app, before anything else of it is
 *       validated (and, for RenewToken, before the server says whether it holds the token's app);</li>
 *   <li>{@link #check}: the whole grant, after input validation and before any signing.</li>
 * </ol>
 * Each runs on the gRPC transport thread, so implementations must be fast and non-blocking. Each returns
 * normally when allowed and otherwise throws a {@link StatusRuntimeException}: PERMISSION_DENIED naming
 * the rule, or RESOURCE_EXHAUSTED with a retry delay.
 */
@FunctionalInterface
public interface AccessGate {
    /** Once per call, right after authentication. */
    default void admit(Caller caller, Rpc rpc) throws StatusRuntimeException {}

    /** The app the request names ({@code appId} as sent, not yet validated). */
    default void admitApp(Caller caller, Rpc rpc, String appId) throws StatusRuntimeException {}

    /** The grant the call would mint (or, for InspectToken, the token's app). */
    void check(Caller caller, GrantRequest request) throws StatusRuntimeException;
}
