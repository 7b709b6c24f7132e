package io.tokenservice.core.issue;

import java.util.Optional;

/** An Agora Chat user token (for {@code userId}) or, with no user, an app token. */
public record ChatTokenRequest(Optional<String> userId, long ttlSeconds) {
    public static ChatTokenRequest user(String userId, long ttlSeconds) {
        return new ChatTokenRequest(Optional.of(userId), ttlSeconds);
    }

    public static ChatTokenRequest app(long ttlSeconds) {
        return new ChatTokenRequest(Optional.empty(), ttlSeconds);
    }
}
