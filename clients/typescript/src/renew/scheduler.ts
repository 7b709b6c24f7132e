/** A scheduled task that has not necessarily run yet. */
export interface Cancellable {
  /** Prevents the task from running if it has not started; does nothing otherwise. */
  cancel(): void;
}

/**
 * Runs tasks after a delay. The renewer takes one instead of calling setTimeout itself, so that tests
 * drive time with a fake one.
 */
export interface Scheduler {
  /** Runs `task` once, `delayMs` from now (zero or negative = as soon as possible). */
  schedule(delayMs: number, task: () => void): Cancellable;
}

/** setTimeout's longest delay; longer waits are chained. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** The runtime's timers. */
export const timerScheduler: Scheduler = {
  schedule(delayMs, task) {
    let handle: ReturnType<typeof setTimeout>;
    let cancelled = false;
    const arm = (remaining: number) => {
      const step = Math.min(Math.max(0, remaining), MAX_TIMEOUT_MS);
      handle = setTimeout(() => (remaining > step ? arm(remaining - step) : task()), step);
    };
    arm(delayMs);
    return {
      cancel() {
        if (!cancelled) {
          cancelled = true;
          clearTimeout(handle);
        }
      },
    };
  },
};
