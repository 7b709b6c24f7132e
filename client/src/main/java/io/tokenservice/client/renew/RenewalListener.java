package io.tokenservice.client.renew;

/**
 * Observes one {@link TokenRenewer}: for logs, metrics and UI. Called from the renewer's serialized context,
 * one call at a time, never after {@link TokenRenewer#close()} has returned. Exceptions thrown by a listener
 * are logged and otherwise ignored.
 */
public interface RenewalListener {
    /** An event or the timer asked for a renewal; {@code outcome} says what the renewer did about it. */
    default void onTrigger(Trigger trigger, TriggerOutcome outcome) {}

    /** A new token was handed to the session (via renewToken or, after expiry, rejoin). */
    default void onRenewed(Renewal renewal) {}

    /** An attempt failed; {@link RenewalFailure#retryIn()} says whether and when it is retried. */
    default void onFailure(RenewalFailure failure) {}

    /** Does nothing. */
    RenewalListener NONE = new RenewalListener() {};
}
