package io.tokenservice.server.policy;

import io.tokenservice.server.access.AccessGate;
import io.tokenservice.server.access.Caller;
import io.tokenservice.server.access.GrantRequest;
import io.tokenservice.server.access.Rpc;
import java.util.List;

/** Composition of {@link AccessGate}s. */
public final class AccessGates {
    private AccessGates() {}

    /** A gate asking each gate in turn, at each step; the first refusal wins, later gates are not asked. */
    public static AccessGate inOrder(AccessGate... gates) {
        AccessGate[] copy = List.of(gates).toArray(new AccessGate[0]);
        return new AccessGate() {
            @Override
            public void admit(Caller caller, Rpc rpc) {
                for (AccessGate gate : copy) {
                    gate.admit(caller, rpc);
                }
            }

            @Override
            public void admitApp(Caller caller, Rpc rpc, String appId) {
                for (AccessGate gate : copy) {
                    gate.admitApp(caller, rpc, appId);
                }
            }

            @Override
            public void check(Caller caller, GrantRequest request) {
                for (AccessGate gate : copy) {
                    gate.check(caller, request);
                }
            }

            @Override
            public String toString() {
                return "AccessGates.inOrder" + List.of(copy);
            }
        };
    }

    /** A gate that allows everything (tests, or authentication explicitly disabled). */
    public static AccessGate allowAll() {
        return (caller, request) -> {};
    }
}
