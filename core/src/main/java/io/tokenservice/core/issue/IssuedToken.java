package io.tokenservice.core.issue;

import io.tokenservice.core.token.AccessToken2;
import java.time.Instant;
import java.util.Objects;

/** A signed 007 token with the content it encodes. {@link #toString()} leaves the token out. */
public record IssuedToken(String token, AccessToken2 content) {
    public IssuedToken {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(content, "content");
    }

    public Instant issuedAt() {
        return content.issuedAt();
    }

    public Instant expiresAt() {
        return content.expiresAt();
    }

    @Override
    public String toString() {
        return "IssuedToken[" + content + "]";
    }
}
