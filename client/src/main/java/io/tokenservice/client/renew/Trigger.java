package io.tokenservice.client.renew;

/** What started a renewal. */
public enum Trigger {
    /** The session reported that the token will expire soon. */
    WILL_EXPIRE_EVENT,
    /** The renewer's own timer, set from the token's expiry (in case the event never comes). */
    TIMER,
    /** The session reported that the token has expired. */
    EXPIRED_EVENT,
    /** The session asked for a new token. */
    REQUEST_TOKEN_EVENT,
    /** The application called {@link TokenRenewer#renewNow()}. */
    MANUAL
}
