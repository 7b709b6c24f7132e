import { ErrorKind, TokenServiceError } from "../errors.js";
import { Token } from "../token.js";
import { Backoff } from "./backoff.js";
import type { HandoverMode, RenewalFailure, RenewalListener, Trigger, TriggerOutcome, Renewal } from "./events.js";
import type { TokenProvider } from "./provider.js";
import { RateLimiter } from "./rate-limiter.js";
import { type Cancellable, type Scheduler, timerScheduler } from "./scheduler.js";
import type { AgoraSession, TokenEventListener } from "./session.js";

/** Lifecycle of a renewer. */
export type RenewerState =
  /** Built, start() not called yet (or still reading the token string it was given). */
  | "NEW"
  /** Keeping the session's token valid. */
  | "ACTIVE"
  /** Stopped after a permanent failure (reported to the listener); close it and fix the cause. */
  | "FAILED"
  /** Closed. */
  | "CLOSED";

export interface TokenRenewerOptions {
  readonly listener?: RenewalListener;
  /** The local clock, epoch ms; must be the one the TokenClient stamps tokens with. Default Date.now. */
  readonly clock?: () => number;
  /** Where timers run. Default: setTimeout. */
  readonly scheduler?: Scheduler;
  /** Backoff between failed attempts. Default Backoff.DEFAULT (1 s doubling to 30 s, +-20 %). */
  readonly backoff?: Backoff;
  /** Source of backoff jitter in [0, 1). Default Math.random. */
  readonly random?: () => number;
  /**
   * How long before the token's (earliest privilege) expiry the renewer's own timer renews it. Default
   * 30 000 ms, when the Agora SDKs fire their will-expire event. Never earlier than half-way to expiry.
   */
  readonly renewBeforeMs?: number;
  /**
   * A will-expire event that does not name its token (the Web SDKs never do) and arrives within this time
   * after a hand-over is taken to be about the replaced token and ignored. Default 5000 ms.
   */
  readonly staleEventWindowMs?: number;
  /** At most `permits` hand-overs per `windowMs`; null = no limit. Default 2 per second (Agora RTM's limit). */
  readonly rateLimit?: { readonly permits: number; readonly windowMs: number } | null;
  /** Where the renewer reports what it cannot report to the listener. Default console.warn. */
  readonly log?: (message: string, error?: unknown) => void;
}

/** One renewal, from its trigger to the hand-over, through any retries. */
class Operation {
  mode: HandoverMode;
  attempts = 0;
  inFlight: AbortController | undefined;
  pending: Cancellable | undefined;
  ready: Token | undefined;

  constructor(
    readonly trigger: Trigger,
    mode: HandoverMode,
  ) {
    this.mode = mode;
  }

  cancel(): void {
    this.pending?.cancel();
    this.inFlight?.abort();
  }
}

/**
 * Keeps one AgoraSession supplied with valid tokens, for as long as it is open; the same behaviour and
 * listener events as the Java client's TokenRenewer:
 *
 * - On the session's will-expire event it renews the token through RenewToken and hands the new one to
 *   the session's renewToken.
 * - It also sets its own timer from the token's expiry, corrected for the server/local clock offset,
 *   `renewBeforeMs` ahead (never more than half the remaining lifetime), in case the event never comes.
 * - At most one renewal runs at a time: an event or timer that comes while one is in flight, waiting to
 *   retry or held back by the rate limit joins it; an event about a token already replaced is ignored.
 * - Transient failures (UNAVAILABLE, deadline, rate limit, server errors) are retried with exponential
 *   backoff and jitter, never waiting past half the token's remaining lifetime, never sooner than a
 *   RetryInfo asks. Permanent failures (UNAUTHENTICATED, PERMISSION_DENIED, INVALID_ARGUMENT,
 *   NOT_FOUND, too large, a TLS client at a plaintext server) stop the renewer: reported once, not retried.
 * - When the token did expire (the session says so, the server refuses to renew it with TOKEN_EXPIRED,
 *   or the timer finds it past its expiry) it gets a fresh token through the Issue RPC and hands it to
 *   the session's rejoin.
 * - Hand-overs are rate limited (default two per second, RTM's limit).
 * - close() cancels timers and the call in flight and unregisters from the session; nothing happens
 *   afterwards.
 *
 * Work runs one task at a time: an event fired from inside a session or listener call is handled after it.
 */
export class TokenRenewer {
  private readonly listener: RenewalListener;
  private readonly clock: () => number;
  private readonly scheduler: Scheduler;
  private readonly backoff: Backoff;
  private readonly random: () => number;
  private readonly renewBeforeMs: number;
  private readonly staleEventWindowMs: number;
  private readonly rateLimiter: RateLimiter | undefined;
  private readonly log: (message: string, error?: unknown) => void;

  private readonly queue: (() => void)[] = [];
  private draining = false;
  private started = false;
  private closed = false;
  private _state: RenewerState = "NEW";
  private _current: Token | undefined;
  private operation: Operation | undefined;
  private renewTimer: Cancellable | undefined;
  private lastHandoverAtMs: number | undefined;
  private lastHandoverMode: HandoverMode | undefined;

  private readonly events: TokenEventListener = {
    onTokenWillExpire: (token) => this.submit(() => this.onTrigger("WILL_EXPIRE_EVENT", "RENEW", token)),
    onTokenExpired: () => this.submit(() => this.onTrigger("EXPIRED_EVENT", "REJOIN", null)),
    onRequestToken: () => this.submit(() => this.onTrigger("REQUEST_TOKEN_EVENT", "REJOIN", null)),
  };

  constructor(
    private readonly session: AgoraSession,
    private readonly provider: TokenProvider,
    options: TokenRenewerOptions = {},
  ) {
    this.listener = options.listener ?? {};
    this.clock = options.clock ?? Date.now;
    this.scheduler = options.scheduler ?? timerScheduler;
    this.backoff = options.backoff ?? Backoff.DEFAULT;
    this.random = options.random ?? Math.random;
    this.renewBeforeMs = nonNegative(options.renewBeforeMs ?? 30_000, "renewBeforeMs");
    this.staleEventWindowMs = nonNegative(options.staleEventWindowMs ?? 5000, "staleEventWindowMs");
    const limit = options.rateLimit === undefined ? { permits: 2, windowMs: 1000 } : options.rateLimit;
    this.rateLimiter = limit === null ? undefined : new RateLimiter(limit.permits, limit.windowMs);
    this.log = options.log ?? ((message, error) => console.warn(`token renewer: ${message}`, error ?? ""));
  }

  /**
   * Starts keeping the session's token valid: registers for the session's token events and sets the
   * renewal timer. `initial` is the token the session joined with: a Token from the TokenClient, or a
   * token string obtained elsewhere (its expiry is read from the token; the clock offset is measured at
   * the first renewal, and until then the timer renews rather than rejoins, whatever the local clock says).
   * Rejects if already started or closed, if the string is not a 007 token, or if the provider cannot
   * renew the token (a 006 token with tokenProvider, which lacks the channel and uid a 006 renewal needs).
   */
  async start(initial: Token | string): Promise<void> {
    if (this.closed || this.started) {
      throw new Error("renewer already started or closed");
    }
    this.started = true;
    let token: Token;
    try {
      token = typeof initial === "string" ? await Token.fromString(initial) : initial;
      this.provider.requireRenewable?.(token);
    } catch (e) {
      this.started = false; // nothing started: the caller may fix the cause and start again
      throw e;
    }
    this.submit(() => {
      if (this.closed) {
        return;
      }
      this._current = token;
      this._state = "ACTIVE";
      this.session.setTokenEventListener(this.events);
      this.scheduleTimer();
    });
  }

  /** Renews now, as if the session had reported that the token will expire (joins a renewal in progress). */
  renewNow(): void {
    this.submit(() => this.onTrigger("MANUAL", "RENEW", null));
  }

  /** The token the session currently holds (as far as this renewer knows); undefined before start. */
  get current(): Token | undefined {
    return this._current;
  }

  get state(): RenewerState {
    return this._state;
  }

  /**
   * Stops at once: cancels the renewal timer, any retry and the call in flight, and unregisters from the
   * session. Afterwards the renewer starts no RPC, sets no timer and calls neither the session nor the
   * listener. Idempotent; may be called from a listener callback.
   */
  close(): void {
    if (this.closed) {
      return;
    }
    this.closed = true;
    this._state = "CLOSED";
    this.renewTimer?.cancel();
    this.renewTimer = undefined;
    this.operation?.cancel();
    this.operation = undefined;
    this.queue.length = 0;
    try {
      this.session.setTokenEventListener(null);
    } catch (e) {
      this.log("session.setTokenEventListener(null) failed", e);
    }
  }

  // ------------------------------------------------------------------ serialized handlers

  private submit(task: () => void): void {
    if (this.closed) {
      return;
    }
    this.queue.push(task);
    if (this.draining) {
      return;
    }
    this.draining = true;
    try {
      for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) {
        try {
          next();
        } catch (e) {
          this.log("renewer task failed", e);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private onTrigger(trigger: Trigger, wanted: HandoverMode, eventToken: string | null): void {
    if (this.closed || this._state === "NEW") {
      return;
    }
    if (this._state === "FAILED") {
      this.notifyTrigger(trigger, "IGNORED_FAILED");
      return;
    }
    const running = this.operation;
    if (running) {
      if (wanted === "REJOIN") {
        // The session lost its token while we were renewing: the result goes to rejoin instead.
        running.mode = "REJOIN";
      }
      this.notifyTrigger(trigger, "ALREADY_RENEWING");
      return;
    }
    if (this.isStale(trigger, eventToken)) {
      this.notifyTrigger(trigger, "STALE");
      return;
    }
    this.notifyTrigger(trigger, "STARTED");
    this.cancelTimer();
    const op = new Operation(trigger, wanted);
    this.operation = op;
    this.attempt(op);
  }

  /**
   * A will-expire event is stale when it names a token other than the current one, or (naming none)
   * arrives within staleEventWindowMs of our own hand-over. An expiry event is stale only within that
   * window after a rejoin (a duplicate of the event that caused it); after a renewToken hand-over it is
   * not, since the session may have lost its token just before the new one reached it.
   */
  private isStale(trigger: Trigger, eventToken: string | null): boolean {
    const recent = this.lastHandoverAtMs !== undefined && this.clock() < this.lastHandoverAtMs + this.staleEventWindowMs;
    switch (trigger) {
      case "WILL_EXPIRE_EVENT":
        return eventToken !== null ? eventToken !== this._current!.value : recent;
      case "EXPIRED_EVENT":
      case "REQUEST_TOKEN_EVENT":
        return recent && this.lastHandoverMode === "REJOIN";
      default:
        return false;
    }
  }

  private attempt(op: Operation): void {
    if (this.closed) {
      return;
    }
    op.attempts++;
    const mode = op.mode;
    const controller = new AbortController();
    op.inFlight = controller;
    let call: Promise<Token>;
    try {
      call = mode === "RENEW" ? this.provider.renew(this._current!, controller.signal) : this.provider.issue(controller.signal);
    } catch (e) {
      call = Promise.reject(e);
    }
    call.then(
      (token) => this.submit(() => this.onAttemptDone(op, mode, token, undefined)),
      (error: unknown) => this.submit(() => this.onAttemptDone(op, mode, undefined, error ?? new Error("failed"))),
    );
  }

  private onAttemptDone(op: Operation, attemptedMode: HandoverMode, token: Token | undefined, error: unknown): void {
    if (this.closed || this.operation !== op) {
      return;
    }
    op.inFlight = undefined;
    if (error === undefined) {
      this.handOver(op, token!);
      return;
    }
    const e = TokenServiceError.from(attemptedMode === "RENEW" ? "RenewToken" : "Issue", error);
    if (attemptedMode === "RENEW" && e.kind === ErrorKind.TOKEN_EXPIRED) {
      // Past the server's renewal grace: get a fresh token and have the session rejoin, right away.
      op.mode = "REJOIN";
      this.notifyFailure({ trigger: op.trigger, mode: attemptedMode, attempt: op.attempts, error: e, retryInMs: 0 });
      if (!this.closed && this.operation === op) {
        this.attempt(op);
      }
      return;
    }
    if (!e.retryable) {
      this.operation = undefined;
      this._state = "FAILED";
      this.cancelTimer();
      this.log(`renewal stopped: ${e.message}`);
      this.notifyFailure({ trigger: op.trigger, mode: attemptedMode, attempt: op.attempts, error: e, retryInMs: undefined });
      return;
    }
    const delay = this.retryDelayMs(op, e);
    op.pending = this.scheduler.schedule(delay, () => this.submit(() => this.onRetryDue(op)));
    this.notifyFailure({ trigger: op.trigger, mode: attemptedMode, attempt: op.attempts, error: e, retryInMs: delay });
  }

  private retryDelayMs(op: Operation, e: TokenServiceError): number {
    let delay = this.backoff.delayMs(op.attempts, this.random);
    if (op.mode === "RENEW") {
      const left = this._current!.localEarliestExpiryMs() - this.clock();
      if (left >= 0) {
        // Never sleep through more than half of what is left, so a server that comes back is used in time.
        const half = left / 2;
        if (delay > half) {
          delay = Math.max(half, this.backoff.initialMs);
        }
      }
    }
    if (e.retryDelayMs !== undefined && e.retryDelayMs > delay) {
      delay = e.retryDelayMs;
    }
    return delay;
  }

  private onRetryDue(op: Operation): void {
    if (this.closed || this.operation !== op) {
      return;
    }
    op.pending = undefined;
    this.attempt(op);
  }

  private handOver(op: Operation, token: Token): void {
    const now = this.clock();
    if (this.rateLimiter) {
      const wait = this.rateLimiter.delayMs(now);
      if (wait > 0) {
        op.ready = token;
        op.pending = this.scheduler.schedule(wait, () => this.submit(() => this.onHandOverDue(op)));
        return;
      }
      this.rateLimiter.record(now);
    }
    const previous = this._current!;
    const mode = op.mode;
    this._current = token;
    this.lastHandoverAtMs = now;
    this.lastHandoverMode = mode;
    this.operation = undefined;
    this.scheduleTimer();
    const refused = (e: unknown) => {
      this.log("the session refused the new token", e);
      this.notifyFailure({ trigger: op.trigger, mode, attempt: op.attempts, error: e, retryInMs: this.timerTimeMs(now) - now });
    };
    const renewed: Renewal = { trigger: op.trigger, mode, previous, current: token, attempts: op.attempts };
    let handed: void | Promise<void>;
    try {
      handed = mode === "RENEW" ? this.session.renewToken(token.value) : this.session.rejoin(token.value);
    } catch (e) {
      refused(e);
      return;
    }
    if (handed instanceof Promise) {
      handed.then(
        () => this.submit(() => this.notifyRenewed(renewed)),
        (e: unknown) => this.submit(() => refused(e)),
      );
    } else {
      this.notifyRenewed(renewed);
    }
  }

  private onHandOverDue(op: Operation): void {
    if (this.closed || this.operation !== op) {
      return;
    }
    const token = op.ready!;
    op.ready = undefined;
    op.pending = undefined;
    this.handOver(op, token);
  }

  private onTimer(forToken: Token): void {
    if (this.closed || this._current !== forToken) {
      return; // a timer of a token already replaced
    }
    this.renewTimer = undefined;
    // With an unknown clock offset the local clock cannot tell that the token expired: renew, and let
    // the server answer TOKEN_EXPIRED if it did.
    const expired = forToken.clockOffsetKnown && this.clock() >= forToken.localExpiresAtMs();
    this.onTrigger("TIMER", expired ? "REJOIN" : "RENEW", null);
  }

  /**
   * When to renew the current token: renewBeforeMs ahead of its earliest (privilege) expiry on the local
   * clock, but no earlier than half-way through what is left, so short-lived tokens are not renewed
   * continuously.
   */
  private timerTimeMs(now: number): number {
    const expiry = this._current!.localEarliestExpiryMs();
    const at = Math.max(expiry - this.renewBeforeMs, now + (expiry - now) / 2);
    return Math.max(at, now);
  }

  private scheduleTimer(): void {
    this.cancelTimer();
    const now = this.clock();
    const forToken = this._current!;
    this.renewTimer = this.scheduler.schedule(this.timerTimeMs(now) - now, () => this.submit(() => this.onTimer(forToken)));
  }

  private cancelTimer(): void {
    this.renewTimer?.cancel();
    this.renewTimer = undefined;
  }

  // ------------------------------------------------------------------ listener calls

  private notifyTrigger(trigger: Trigger, outcome: TriggerOutcome): void {
    this.notify("onTrigger", () => this.listener.onTrigger?.(trigger, outcome));
  }

  private notifyRenewed(renewal: Renewal): void {
    this.notify("onRenewed", () => this.listener.onRenewed?.(renewal));
  }

  private notifyFailure(failure: RenewalFailure): void {
    this.notify("onFailure", () => this.listener.onFailure?.(failure));
  }

  private notify(name: string, call: () => void): void {
    if (this.closed) {
      return;
    }
    try {
      call();
    } catch (e) {
      this.log(`listener.${name} threw`, e);
    }
  }
}

function nonNegative(n: number, what: string): number {
  if (!(n >= 0) || !Number.isFinite(n)) {
    throw new RangeError(`${what} must not be negative: ${n}`);
  }
  return n;
}
