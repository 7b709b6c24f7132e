/**
 * Fake Agora Web SDK clients (RTC, RTM, Chat) that behave like the real ones towards tokens, on fake
 * time: given a token (join / login / renewToken) they fire the will-expire event 30 s before it
 * expires and the did-expire event when it does, measured from when they got it, as Agora's servers
 * do. They record every call the renewer makes.
 */
import type { ConnectionState, UID } from "agora-rtc-sdk-ng";
import type { RTMEvents } from "agora-rtm-sdk";
import type { AgoraChat } from "agora-chat";
import type { RtcClient } from "../../src/agora/rtc.js";
import type { RtmClient } from "../../src/agora/rtm.js";
import type { ChatConnection } from "../../src/agora/chat.js";
import type { Cancellable } from "../../src/renew/scheduler.js";
import { decodeToken } from "../../src/token-format.js";
import type { FakeScheduler } from "./fake-time.js";

const WARNING_MS = 30_000;

/** The SDK side of a token: when it was handed over and the two timers it sets. */
class TokenClock {
  private timers: Cancellable[] = [];
  token: string | undefined;

  /** false: the SDK never warns (a throttled background tab); the token still expires. */
  warns = true;

  constructor(
    private readonly scheduler: FakeScheduler,
    private readonly fireWillExpire: () => void,
    private readonly fireDidExpire: () => void,
  ) {}

  async accept(token: string): Promise<void> {
    this.clear();
    this.token = token;
    const lifetimeMs = (await decodeToken(token)).expire * 1000;
    if (this.token !== token) {
      return; // replaced meanwhile
    }
    this.timers = [
      this.scheduler.schedule(lifetimeMs - WARNING_MS, () => this.warns && this.fireWillExpire()),
      this.scheduler.schedule(lifetimeMs, () => {
        this.token = undefined;
        this.fireDidExpire();
      }),
    ];
  }

  clear(): void {
    for (const t of this.timers) {
      t.cancel();
    }
    this.timers = [];
    this.token = undefined;
  }
}

export class FakeRtcClient implements RtcClient {
  readonly calls: string[] = [];
  readonly joins: Array<{ appId: string; channel: string; token: string | null; uid: UID | null | undefined }> = [];
  readonly renewed: string[] = [];
  connectionState: ConnectionState = "DISCONNECTED";
  private readonly listeners = new Map<string, Set<() => void>>();
  private readonly tokens: TokenClock;

  constructor(scheduler: FakeScheduler) {
    this.tokens = new TokenClock(scheduler, () => this.emit("token-privilege-will-expire"), () => {
      this.connectionState = "DISCONNECTED";
      this.emit("token-privilege-did-expire");
    });
  }

  get token(): string | undefined {
    return this.tokens.token;
  }

  /** Whether the SDK fires token-privilege-will-expire at all. */
  set warns(on: boolean) {
    this.tokens.warns = on;
  }

  on(event: string, listener: Function): void {
    this.calls.push(`on ${event}`);
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as () => void);
  }

  off(event: string, listener: Function): void {
    this.calls.push(`off ${event}`);
    this.listeners.get(event)?.delete(listener as () => void);
  }

  listenerCount(event: string): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  emit(event: string): void {
    for (const l of [...(this.listeners.get(event) ?? [])]) {
      l();
    }
  }

  async join(appId: string, channel: string, token: string | null, uid?: UID | null): Promise<UID> {
    this.calls.push("join");
    if (this.connectionState !== "DISCONNECTED") {
      throw new Error("INVALID_OPERATION: already in a channel");
    }
    this.joins.push({ appId, channel, token, uid });
    await this.tokens.accept(token!);
    this.connectionState = "CONNECTED";
    return uid ?? 0;
  }

  async leave(): Promise<void> {
    this.calls.push("leave");
    this.tokens.clear();
    this.connectionState = "DISCONNECTED";
  }

  async renewToken(token: string): Promise<void> {
    this.calls.push("renewToken");
    this.renewed.push(token);
    await this.tokens.accept(token);
  }
}

type RtmListener<E extends keyof RTMEvents.RTMClientEventMap> = RTMEvents.RTMClientEventMap[E];

export class FakeRtmClient implements RtmClient {
  readonly calls: string[] = [];
  readonly logins: string[] = [];
  readonly renewed: string[] = [];
  private readonly willExpire = new Set<RtmListener<"tokenPrivilegeWillExpire">>();
  private readonly linkState = new Set<RtmListener<"linkState">>();
  private readonly tokens: TokenClock;

  constructor(scheduler: FakeScheduler) {
    this.tokens = new TokenClock(scheduler, () => this.fireWillExpire(""), () => this.fireTokenExpired());
  }

  addEventListener<E extends keyof RTMEvents.RTMClientEventMap>(name: E, listener: RTMEvents.RTMClientEventMap[E]): void {
    this.calls.push(`add ${name}`);
    this.setFor(name)?.add(listener as never);
  }

  removeEventListener<E extends keyof RTMEvents.RTMClientEventMap>(name: E, listener: RTMEvents.RTMClientEventMap[E]): void {
    this.calls.push(`remove ${name}`);
    this.setFor(name)?.delete(listener as never);
  }

  fireWillExpire(channelName: string): void {
    for (const l of [...this.willExpire]) {
      l(channelName);
    }
  }

  fireTokenExpired(): void {
    for (const l of [...this.linkState]) {
      l({ currentState: "FAILED", previousState: "CONNECTED", reasonCode: "TOKEN_EXPIRED" } as never);
    }
  }

  async login(options?: { token?: string }): Promise<never> {
    this.calls.push("login");
    this.logins.push(options!.token!);
    await this.tokens.accept(options!.token!);
    return {} as never;
  }

  async logout(): Promise<never> {
    this.calls.push("logout");
    this.tokens.clear();
    return {} as never;
  }

  async renewToken(token: string): Promise<never> {
    this.calls.push("renewToken");
    this.renewed.push(token);
    await this.tokens.accept(token);
    return {} as never;
  }

  private setFor(name: keyof RTMEvents.RTMClientEventMap): Set<unknown> | undefined {
    return name === "tokenPrivilegeWillExpire" ? this.willExpire : name === "linkState" ? this.linkState : undefined;
  }
}

export class FakeChatConnection implements ChatConnection {
  readonly calls: string[] = [];
  readonly opened: Array<{ user: string; accessToken: string | undefined }> = [];
  readonly renewed: string[] = [];
  private readonly handlers = new Map<string, AgoraChat.EventHandlerType>();
  private readonly tokens: TokenClock;

  constructor(scheduler: FakeScheduler) {
    this.tokens = new TokenClock(
      scheduler,
      () => this.each((h) => h.onTokenWillExpire?.()),
      () => this.each((h) => h.onTokenExpired?.()),
    );
  }

  get handlerIds(): string[] {
    return [...this.handlers.keys()];
  }

  addEventHandler(id: string, handler: AgoraChat.EventHandlerType): void {
    this.calls.push(`add ${id}`);
    this.handlers.set(id, handler);
  }

  removeEventHandler(id: string): void {
    this.calls.push(`remove ${id}`);
    this.handlers.delete(id);
  }

  async open(params: { user: string; accessToken?: string }): Promise<never> {
    this.calls.push("open");
    this.opened.push({ user: params.user, accessToken: params.accessToken });
    await this.tokens.accept(params.accessToken!);
    return {} as never;
  }

  close(): void {
    this.calls.push("close");
    this.tokens.clear();
  }

  async renewToken(token: string): Promise<never> {
    this.calls.push("renewToken");
    this.renewed.push(token);
    await this.tokens.accept(token);
    return {} as never;
  }

  fireWillExpire(): void {
    this.each((h) => h.onTokenWillExpire?.());
  }

  private each(f: (h: AgoraChat.EventHandlerType) => void): void {
    for (const h of [...this.handlers.values()]) {
      f(h);
    }
  }
}

