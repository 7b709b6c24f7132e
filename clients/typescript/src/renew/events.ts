import type { Token } from "../token.js";

/** What started a renewal. The same names as the Java client's Trigger. */
export type Trigger =
  /** The session reported that the token will expire soon. */
  | "WILL_EXPIRE_EVENT"
  /** The renewer's own timer, set from the token's expiry (in case the event never comes). */
  | "TIMER"
  /** The session reported that the token has expired. */
  | "EXPIRED_EVENT"
  /** The session asked for a new token. */
  | "REQUEST_TOKEN_EVENT"
  /** The application called renewNow(). */
  | "MANUAL";

/** What the renewer did with a trigger. */
export type TriggerOutcome =
  /** A renewal started. */
  | "STARTED"
  /** A renewal was already under way (in flight, waiting to retry, or held back by the rate limit); it covers this trigger too. */
  | "ALREADY_RENEWING"
  /** The event concerns a token that was already replaced; nothing to do. */
  | "STALE"
  /** The renewer has given up after a permanent failure (see onFailure). */
  | "IGNORED_FAILED";

/** How a new token reached the session: renewToken (still connected) or rejoin (the old one expired). */
export type HandoverMode = "RENEW" | "REJOIN";

/** A token handed to the session. */
export interface Renewal {
  readonly trigger: Trigger;
  readonly mode: HandoverMode;
  readonly previous: Token;
  readonly current: Token;
  /** RPC attempts it took (1 = first try). */
  readonly attempts: number;
}

/** A failed renewal attempt. */
export interface RenewalFailure {
  readonly trigger: Trigger;
  /** What the attempt was for: RENEW (RenewToken, then renewToken) or REJOIN (Issue, then rejoin). */
  readonly mode: HandoverMode;
  /** The attempt number (1 = first try). */
  readonly attempt: number;
  /** Usually a TokenServiceError; the session's own error if handing the token over failed. */
  readonly error: unknown;
  /** When the next attempt runs, in ms; undefined if the renewer gave up (a permanent error: it stops). */
  readonly retryInMs: number | undefined;
}

/**
 * Observes one TokenRenewer, for logs, metrics and UI. Never called after close(). Errors thrown by a
 * listener are caught and otherwise ignored.
 */
export interface RenewalListener {
  /** An event or the timer asked for a renewal; `outcome` says what the renewer did about it. */
  onTrigger?(trigger: Trigger, outcome: TriggerOutcome): void;
  /** A new token was handed to the session (via renewToken or, after expiry, rejoin). */
  onRenewed?(renewal: Renewal): void;
  /** An attempt failed; `retryInMs` says whether and when it is retried. */
  onFailure?(failure: RenewalFailure): void;
}
