package io.tokenservice.client.renew;

/** How a new token reached the session. */
public enum HandoverMode {
    /** {@link AgoraSession#renewToken(String)}: the session was still connected. */
    RENEW,
    /** {@link AgoraSession#rejoin(String)}: the old token had expired, the session must join again. */
    REJOIN
}
