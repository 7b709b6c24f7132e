package io.tokenservice.server.access;

import java.util.List;
import java.util.Objects;

/**
 * What a call would mint, described after input validation and before signing, so that policy,
 * deny-list and audit all judge the same facts. For RenewToken it describes the renewed token; for
 * InspectToken {@code services} is empty and {@code appId} is the token's app.
 */
public record GrantRequest(Rpc rpc, String appId, List<RequestedService> services, long ttlSeconds) {
    public GrantRequest {
        Objects.requireNonNull(rpc, "rpc");
        Objects.requireNonNull(appId, "appId");
        services = List.copyOf(services);
    }
}
