package io.tokenservice.server.access;

import io.grpc.StatusRuntimeException;

/**
 * Decides whether a caller may have what it asks for. Called once per RPC after input validation and
 * before any signing, on the gRPC transport thread, so implementations must be fast and non-blocking.
 */
@FunctionalInterface
public interface AccessGate {
    /**
     * Returns normally when allowed; otherwise throws a {@link StatusRuntimeException} whose status is
     * PERMISSION_DENIED (naming the rule) or RESOURCE_EXHAUSTED (with a retry delay).
     */
    void check(Caller caller, GrantRequest request) throws StatusRuntimeException;
}
