package io.tokenservice.server.access;

import java.util.Objects;
import java.util.Optional;

/**
 * The authenticated party behind a call: an API key's caller name, a client certificate's subject, the caller
 * a verified JWT maps to (with the {@link EndUser} it names), or the configured {@code anonymous} caller.
 */
public record Caller(String name, AuthMethod method, Optional<EndUser> endUser) {
    public enum AuthMethod {
        API_KEY,
        MUTUAL_TLS,
        /** An end user's JWT; {@link Caller#endUser()} is present. */
        JWT,
        /** A call without credentials, admitted because the configuration names an {@code anonymous} caller. */
        ANONYMOUS,
        /** Only when the server runs with authentication explicitly disabled. */
        NONE
    }

    public Caller {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(endUser, "endUser");
    }

    /** A caller that is not an end user. */
    public Caller(String name, AuthMethod method) {
        this(name, method, Optional.empty());
    }

    /**
     * Whose rate limit a call uses: the caller's, or for an end user the caller's name and the subject, so that
     * each user of a JWT caller has a bucket of their own. Caller names never contain {@code /}.
     */
    public String rateLimitKey() {
        return endUser.isEmpty() ? name : name + "/" + endUser.get().subject();
    }
}
