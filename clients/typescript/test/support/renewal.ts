/**
 * For the renewer's tests: a hand-driven TokenProvider, a listener that records everything, and a world
 * of fake time with a real TokenClient.
 */
import { type TokenClient, type TransportFactory, createTokenClient } from "../../src/client.js";
import type { Renewal, RenewalFailure, RenewalListener, Trigger, TriggerOutcome } from "../../src/renew/events.js";
import type { TokenProvider } from "../../src/renew/provider.js";
import { TokenRenewer } from "../../src/renew/renewer.js";
import type { AgoraSession } from "../../src/renew/session.js";
import type { Token } from "../../src/token.js";
import { FakeClock, FakeScheduler } from "./fake-time.js";

export interface ProviderCall {
  readonly rpc: "renew" | "issue";
  readonly current: Token | undefined;
  readonly signal: AbortSignal;
  resolve(token: Token): void;
  reject(error: unknown): void;
}

export class ManualProvider implements TokenProvider {
  readonly calls: ProviderCall[] = [];

  renew(current: Token, signal: AbortSignal): Promise<Token> {
    return this.record("renew", current, signal);
  }

  issue(signal: AbortSignal): Promise<Token> {
    return this.record("issue", undefined, signal);
  }

  last(): ProviderCall {
    const call = this.calls.at(-1);
    if (!call) {
      throw new Error("no provider call yet");
    }
    return call;
  }

  private record(rpc: "renew" | "issue", current: Token | undefined, signal: AbortSignal): Promise<Token> {
    return new Promise((resolve, reject) => this.calls.push({ rpc, current, signal, resolve, reject }));
  }
}

export class RecordingListener implements RenewalListener {
  readonly triggers: Array<[Trigger, TriggerOutcome]> = [];
  readonly renewals: Renewal[] = [];
  readonly failures: RenewalFailure[] = [];

  onTrigger(trigger: Trigger, outcome: TriggerOutcome): void {
    this.triggers.push([trigger, outcome]);
  }

  onRenewed(renewal: Renewal): void {
    this.renewals.push(renewal);
  }

  onFailure(failure: RenewalFailure): void {
    this.failures.push(failure);
  }
}

export interface World {
  readonly clock: FakeClock;
  readonly scheduler: FakeScheduler;
  readonly listener: RecordingListener;
  readonly client: TokenClient;
}

/**
 * Fake time starting at the real now, so that the server's (real) clock and ours start together, and a
 * TokenClient on that clock that does not retry (the renewer's own retries are under test).
 */
export function world(transport: TransportFactory, apiKey: string): World {
  const clock = new FakeClock(Date.now());
  return {
    clock,
    scheduler: new FakeScheduler(clock),
    listener: new RecordingListener(),
    client: createTokenClient({
      transport,
      apiKey,
      allowInsecure: true,
      deadlineMs: 5000,
      clock: clock.now,
      retry: { maxAttempts: 1 },
    }),
  };
}

/** A renewer on the world's fake time, without jitter, recording into the world's listener. */
export function renewer(w: World, session: AgoraSession, provider: TokenProvider, renewBeforeMs?: number): TokenRenewer {
  return new TokenRenewer(session, provider, {
    clock: w.clock.now,
    scheduler: w.scheduler,
    listener: w.listener,
    random: () => 0,
    log: () => {},
    ...(renewBeforeMs === undefined ? {} : { renewBeforeMs }),
  });
}
