/**
 * Sliding-window limit of at most `permits` events per `windowMs`. Agora Signaling (RTM) accepts at most
 * two renewToken calls per second; the renewer holds a renewed token back rather than exceed it.
 */
export class RateLimiter {
  private readonly recent: number[] = [];

  constructor(
    readonly permits: number,
    readonly windowMs: number,
  ) {
    if (!Number.isInteger(permits) || permits < 1) {
      throw new RangeError(`permits must be an integer of at least 1: ${permits}`);
    }
    if (!(windowMs > 0) || !Number.isFinite(windowMs)) {
      throw new RangeError(`windowMs must be positive: ${windowMs}`);
    }
  }

  /** How long to wait from `nowMs` before the next event is allowed; 0 if it is allowed now. */
  delayMs(nowMs: number): number {
    while (this.recent.length > 0 && this.recent[0]! + this.windowMs <= nowMs) {
      this.recent.shift();
    }
    return this.recent.length < this.permits ? 0 : this.recent[0]! + this.windowMs - nowMs;
  }

  /** Records an event at `nowMs`. */
  record(nowMs: number): void {
    this.recent.push(nowMs);
    while (this.recent.length > this.permits) {
      this.recent.shift();
    }
  }
}
