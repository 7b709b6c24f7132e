/**
 * Exponential backoff with jitter: retry n (1, 2, ...) waits initialMs * multiplier^(n-1), capped at
 * maxMs, times a random factor in [1 - jitter, 1 + jitter) so that clients that failed together do not
 * retry together. The same rule as the Java client's Backoff.
 */
export class Backoff {
  /** 1 s, 2 s, 4 s, ... up to 30 s, each +-20 %. */
  static readonly DEFAULT = new Backoff(1000, 30_000, 2, 0.2);

  constructor(
    readonly initialMs: number,
    readonly maxMs: number,
    readonly multiplier: number,
    readonly jitter: number,
  ) {
    if (!(initialMs > 0) || !Number.isFinite(initialMs)) {
      throw new RangeError(`initialMs must be positive: ${initialMs}`);
    }
    if (!(maxMs >= initialMs) || !Number.isFinite(maxMs)) {
      throw new RangeError(`maxMs ${maxMs} is less than initialMs ${initialMs}`);
    }
    if (!(multiplier >= 1) || !Number.isFinite(multiplier)) {
      throw new RangeError(`multiplier must be at least 1: ${multiplier}`);
    }
    if (!(jitter >= 0 && jitter <= 1)) {
      throw new RangeError(`jitter must be between 0 and 1: ${jitter}`);
    }
  }

  /** The delay before retry number `retry` (1 = the first retry); `random` returns [0, 1). */
  delayMs(retry: number, random: () => number): number {
    if (!Number.isInteger(retry) || retry < 1) {
      throw new RangeError(`retry numbers start at 1: ${retry}`);
    }
    const base = Math.min(this.initialMs * this.multiplier ** (retry - 1), this.maxMs);
    const factor = this.jitter === 0 ? 1 : 1 - this.jitter + 2 * this.jitter * random();
    return Math.round(base * factor);
  }
}
