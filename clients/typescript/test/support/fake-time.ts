/** A clock and scheduler that move only when the test says so. */
import type { Cancellable, Scheduler } from "../../src/renew/scheduler.js";

export class FakeClock {
  constructor(private nowMs: number) {}

  readonly now = (): number => this.nowMs;

  set(ms: number): void {
    this.nowMs = ms;
  }
}

interface Task {
  readonly at: number;
  readonly seq: number;
  readonly run: () => void;
  cancelled: boolean;
}

export class FakeScheduler implements Scheduler {
  private readonly tasks: Task[] = [];
  private seq = 0;

  constructor(private readonly clock: FakeClock) {}

  schedule(delayMs: number, run: () => void): Cancellable {
    const task: Task = { at: this.clock.now() + Math.max(0, delayMs), seq: this.seq++, run, cancelled: false };
    this.tasks.push(task);
    return { cancel: () => void (task.cancelled = true) };
  }

  /** Due times of the tasks not yet run or cancelled, in order. */
  pending(): number[] {
    return this.live().map((t) => t.at);
  }

  /** Moves time forward by `ms`, running each task at its time, in order. */
  advance(ms: number): void {
    this.advanceTo(this.clock.now() + ms);
  }

  advanceTo(until: number): void {
    for (;;) {
      const next = this.live()[0];
      if (!next || next.at > until) {
        break;
      }
      next.cancelled = true;
      this.clock.set(Math.max(this.clock.now(), next.at));
      next.run();
    }
    this.clock.set(Math.max(this.clock.now(), until));
  }

  /** Runs what is due now. */
  runDue(): void {
    this.advance(0);
  }

  private live(): Task[] {
    return this.tasks.filter((t) => !t.cancelled).sort((a, b) => a.at - b.at || a.seq - b.seq);
  }
}

/** Lets pending promise callbacks (and I/O already completed) run. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Waits (real time, bounded) until `condition` holds, e.g. until a real RPC has come back. */
export async function until(condition: () => boolean, what: string, withinMs = 10_000): Promise<void> {
  const end = Date.now() + withinMs;
  while (!condition()) {
    if (Date.now() > end) {
      throw new Error(`timed out after ${withinMs} ms waiting until ${what}`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}
