/** A hand-driven TokenProvider and a listener that records everything, for the renewer's tests. */
import type { Renewal, RenewalFailure, RenewalListener, Trigger, TriggerOutcome } from "../../src/renew/events.js";
import type { TokenProvider } from "../../src/renew/provider.js";
import type { Token } from "../../src/token.js";

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
