package io.tokenservice.server.rpc;

import java.util.Objects;

/** One offending request field, by its proto field path, and what is wrong with it. */
public record FieldViolation(String field, String description) {
    public FieldViolation {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(description, "description");
    }
}
