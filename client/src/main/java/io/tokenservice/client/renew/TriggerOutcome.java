package io.tokenservice.client.renew;

/** What the renewer did with a {@link Trigger}. */
public enum TriggerOutcome {
    /** A renewal started. */
    STARTED,
    /** A renewal was already under way (in flight, waiting to retry, or held back by the rate limit); it covers this trigger too. */
    ALREADY_RENEWING,
    /** The event concerns a token that was already replaced; nothing to do. */
    STALE,
    /** The renewer has given up after a permanent failure (see {@link RenewalListener#onFailure}). */
    IGNORED_FAILED
}
