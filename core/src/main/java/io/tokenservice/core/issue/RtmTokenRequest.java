package io.tokenservice.core.issue;

import java.util.Objects;

/** RTM login for {@code userId}, valid for {@code ttlSeconds}. */
public record RtmTokenRequest(String userId, long ttlSeconds) {
    public RtmTokenRequest {
        Objects.requireNonNull(userId, "userId");
    }
}
