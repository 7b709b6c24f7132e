package io.tokenservice.server.access;

import io.grpc.Status;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One token decision for the audit log. Never holds a token or a certificate: an issued token is
 * referred to by {@code tokenSha256Prefix}. {@code grant} is empty when the request failed validation
 * before a grant could be described.
 */
public record AuditEvent(Instant at, Optional<Caller> caller, Rpc rpc, Optional<GrantRequest> grant,
        Status.Code outcome, String reason, Optional<String> tokenSha256Prefix) {
    public AuditEvent {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(caller, "caller");
        Objects.requireNonNull(rpc, "rpc");
        Objects.requireNonNull(grant, "grant");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(tokenSha256Prefix, "tokenSha256Prefix");
    }
}
