package io.tokenservice.core.token;

import java.time.Instant;

/** A token string decoded by {@link Tokens#decode(String)}: either format, not yet trusted. */
public sealed interface DecodedToken permits ParsedAccessToken2, ParsedAccessToken {
    /** "007" or "006". */
    String version();

    String appId();

    Instant expiresAt();
}
