package io.tokenservice.server.access;

import java.util.Objects;

/** The authenticated party behind a call: an API key's caller name or a client certificate's subject. */
public record Caller(String name, AuthMethod method) {
    public enum AuthMethod {
        API_KEY,
        MUTUAL_TLS,
        /** Only when the server runs with authentication explicitly disabled. */
        NONE
    }

    public Caller {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(method, "method");
    }
}
