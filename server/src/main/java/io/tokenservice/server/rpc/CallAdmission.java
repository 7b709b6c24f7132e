package io.tokenservice.server.rpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusRuntimeException;
import io.tokenservice.server.access.AccessGate;
import io.tokenservice.server.access.Caller;
import io.tokenservice.server.access.CallerContext;
import io.tokenservice.server.access.Rpc;
import java.util.Objects;

/**
 * Asks the {@link AccessGate} to {@link AccessGate#admit admit} each TokenService call when it starts,
 * right after authentication and before its request is read: the caller's rate limit, then whether its
 * policy lets it call this RPC at all. A refused call ends at once (audited), so a caller over its limit or
 * outside its policy learns nothing about its request, and a call that never sends one still costs it a
 * rate-limit token.
 */
public final class CallAdmission implements ServerInterceptor {
    private final AccessGate gate;
    private final CallRefusals refusals;

    public CallAdmission(AccessGate gate, CallRefusals refusals) {
        this.gate = Objects.requireNonNull(gate, "gate");
        this.refusals = Objects.requireNonNull(refusals, "refusals");
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        Rpc rpc = Rpc.ofFullMethodName(call.getMethodDescriptor().getFullMethodName());
        Caller caller = CallerContext.CALLER.get();
        if (rpc != null && caller != null) {
            try {
                gate.admit(caller, rpc);
            } catch (StatusRuntimeException e) {
                return refusals.refuse(call, rpc, caller, e);
            }
        }
        return next.startCall(call, headers);
    }
}
