/**
 * A SIMULATED stand-in for agora-rtc-sdk-ng's IAgoraRTCClient: it reaches no Agora server and sends no
 * media, so the page works without an Agora project. Towards tokens it keeps the SDK's schedule on the
 * real clock: from the moment it gets a token (join, renewToken) it fires `token-privilege-will-expire`
 * 30 s before the token's first privilege ends (at once for a shorter-lived token) and
 * `token-privilege-did-expire` when it ends, dropping out of the channel as the SDK does.
 */
import type { ConnectionState, UID } from "agora-rtc-sdk-ng";
import type { RtcClient } from "../src/agora/rtc.js";
import { type Cancellable, type Scheduler, timerScheduler } from "../src/renew/scheduler.js";
import { decodeToken } from "../src/token-format.js";

/** How long before a privilege ends Agora warns with token-privilege-will-expire. */
export const WARNING_MS = 30_000;

type Listener = (...args: unknown[]) => void;

export class SimulatedRtcClient implements RtcClient {
  private state: ConnectionState = "DISCONNECTED";
  private readonly listeners = new Map<string, Set<Listener>>();
  private timers: Cancellable[] = [];
  /** The token whose schedule runs; a token handed over later replaces it. */
  private token: string | undefined;

  constructor(private readonly scheduler: Scheduler = timerScheduler) {}

  get connectionState(): ConnectionState {
    return this.state;
  }

  on(event: string, listener: Function): void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as Listener);
  }

  off(event: string, listener: Function): void {
    this.listeners.get(event)?.delete(listener as Listener);
  }

  async join(_appId: string, _channel: string, token: string | null, uid?: UID | null): Promise<UID> {
    if (this.state !== "DISCONNECTED") {
      throw new Error("INVALID_OPERATION: the client is already in a channel");
    }
    if (token === null) {
      throw new Error("this simulation needs a token");
    }
    this.setState("CONNECTING");
    await this.accept(token);
    this.setState("CONNECTED");
    return uid ?? 0;
  }

  async renewToken(token: string): Promise<void> {
    if (this.state !== "CONNECTED") {
      throw new Error("INVALID_OPERATION: renewToken needs a client in a channel");
    }
    await this.accept(token);
  }

  async leave(): Promise<void> {
    this.cancelTimers();
    this.token = undefined;
    this.setState("DISCONNECTED", "LEAVE");
  }

  private async accept(token: string): Promise<void> {
    this.cancelTimers();
    this.token = token;
    const lifetimeMs = (await firstPrivilegeEndSeconds(token)) * 1000;
    if (this.token !== token) {
      return; // replaced while it was being read
    }
    this.timers = [
      this.scheduler.schedule(lifetimeMs - WARNING_MS, () => this.emit("token-privilege-will-expire")),
      this.scheduler.schedule(lifetimeMs, () => {
        this.token = undefined;
        this.timers = [];
        this.setState("DISCONNECTED");
        this.emit("token-privilege-did-expire");
      }),
    ];
  }

  private cancelTimers(): void {
    for (const timer of this.timers) {
      timer.cancel();
    }
    this.timers = [];
  }

  /** The SDK names the reason only for some disconnections (LEAVE here); expiry is the did-expire event. */
  private setState(next: ConnectionState, reason?: "LEAVE"): void {
    const previous = this.state;
    this.state = next;
    if (previous !== next) {
      this.emit("connection-state-change", next, previous, reason);
    }
  }

  private emit(event: string, ...args: unknown[]): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) {
      listener(...args);
    }
  }
}

/** Seconds after issue at which the token's first privilege (or the token itself) ends. */
async function firstPrivilegeEndSeconds(token: string): Promise<number> {
  const decoded = await decodeToken(token);
  let end = decoded.expire;
  for (const service of decoded.services) {
    for (const privilege of service.privileges) {
      if (privilege.seconds > 0 && privilege.seconds < end) {
        end = privilege.seconds;
      }
    }
  }
  return end;
}
