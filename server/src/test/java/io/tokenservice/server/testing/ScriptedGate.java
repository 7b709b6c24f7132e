package io.tokenservice.server.testing;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tokenservice.server.access.AccessGate;
import io.tokenservice.server.access.Caller;
import io.tokenservice.server.access.GrantRequest;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An access gate tests program: records every request and allows or denies as told. */
public final class ScriptedGate implements AccessGate {
    private final List<GrantRequest> requests = new CopyOnWriteArrayList<>();
    private final List<Caller> callers = new CopyOnWriteArrayList<>();
    private volatile AccessGate behaviour = (caller, request) -> { };

    @Override
    public void check(Caller caller, GrantRequest request) {
        callers.add(caller);
        requests.add(request);
        behaviour.check(caller, request);
    }

    public void allowAll() {
        behaviour = (caller, request) -> { };
    }

    public void denyAll(String rule) {
        behaviour = (caller, request) -> {
            throw new StatusRuntimeException(Status.PERMISSION_DENIED.withDescription(rule));
        };
    }

    public void behave(AccessGate gate) {
        behaviour = gate;
    }

    public List<GrantRequest> requests() {
        return List.copyOf(requests);
    }

    public List<Caller> callers() {
        return List.copyOf(callers);
    }

    public GrantRequest last() {
        if (requests.isEmpty()) {
            throw new AssertionError("the access gate was not asked");
        }
        return requests.get(requests.size() - 1);
    }

    public void reset() {
        allowAll();
        requests.clear();
        callers.clear();
    }
}
