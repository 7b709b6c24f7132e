/**
 * The renewal logic against a hand-driven provider and fake time: every RPC result, event and instant is
 * chosen by the test, so each interleaving is exercised exactly (the twin of the Java TokenRenewerTest).
 */
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { durationFromMs, timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  IssuedTokenSchema,
  MalformedTokenError,
  Privilege,
  ServiceType,
  Token,
  TokenRenewer,
  type TokenRenewerOptions,
  type AgoraSession,
  type TokenEventListener,
} from "../src/index.js";
import { ErrorInfoSchema, RetryInfoSchema } from "../src/gen/google/rpc/error_details_pb.js";
import { FakeClock, FakeScheduler, flush } from "./support/fake-time.js";
import { mintRtcToken } from "./support/mint.js";
import { ManualProvider, RecordingListener } from "./support/renewal.js";

const T0 = Date.parse("2030-01-01T00:00:00Z");
const TTL = 60_000;
/** random() == 0: jitter factor exactly 1 - jitter (0.8 with the default backoff). */
const LOWEST = () => 0;

class FakeSession implements AgoraSession {
  listener: TokenEventListener | null = null;
  readonly renewed: string[] = [];
  readonly rejoined: string[] = [];
  refuse: Error | undefined;

  renewToken(token: string): void {
    if (this.refuse) {
      throw this.refuse;
    }
    this.renewed.push(token);
  }

  rejoin(token: string): void {
    this.rejoined.push(token);
  }

  setTokenEventListener(listener: TokenEventListener | null): void {
    this.listener = listener;
  }
}

let clock: FakeClock;
let scheduler: FakeScheduler;
let session: FakeSession;
let provider: ManualProvider;
let listener: RecordingListener;
let serial: number;

beforeEach(() => {
  clock = new FakeClock(T0);
  scheduler = new FakeScheduler(clock);
  session = new FakeSession();
  provider = new ManualProvider();
  listener = new RecordingListener();
  serial = 0;
});

function renewer(options: TokenRenewerOptions = {}): TokenRenewer {
  return new TokenRenewer(session, provider, { clock: clock.now, scheduler, listener, random: LOWEST, log: () => {}, ...options });
}

/** A token the server issued "now" (server clock = local clock + offsetMs) with the given lifetime. */
function token(offsetMs = 0, lifetimeMs = TTL, privilegeEndsAfterMs?: number): Token {
  const serverNow = clock.now() + offsetMs;
  serial++;
  return Token.fromIssued(
    create(IssuedTokenSchema, {
      token: `007token-${serial}`,
      appId: "0123456789abcdef0123456789abcdef",
      issuedAt: timestampFromMs(serverNow),
      expiresAt: timestampFromMs(serverNow + lifetimeMs),
      tokenSha256Prefix: `sha${serial}`,
      services: privilegeEndsAfterMs === undefined ? [] : [{
        service: ServiceType.RTC,
        channel: "c",
        uid: "1",
        privileges: [
          { privilege: Privilege.RTC_JOIN_CHANNEL, agoraKey: 1 },
          { privilege: Privilege.RTC_PUBLISH_VIDEO_STREAM, agoraKey: 3, expiresAt: timestampFromMs(serverNow + privilegeEndsAfterMs) },
        ],
      }],
    }),
    clock.now(),
  );
}

const unavailable = () => new ConnectError("server down", Code.Unavailable);
const status = (code: Code, ...details: NonNullable<ConstructorParameters<typeof ConnectError>[3]>) => new ConnectError("refused", code, undefined, details);

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await flush();
  }
}

describe("the three triggers", () => {
  it("renews on the will-expire event and hands the token to the session", async () => {
    const initial = token();
    const r = renewer();
    await r.start(initial);
    assert.ok(session.listener, "registered for events");

    clock.set(T0 + 25_000);
    session.listener!.onTokenWillExpire(null);
    assert.equal(provider.calls.length, 1);
    assert.equal(provider.last().rpc, "renew");
    assert.equal(provider.last().current, initial);

    const renewed = token();
    provider.last().resolve(renewed);
    await settle();
    assert.deepEqual(session.renewed, [renewed.value]);
    assert.deepEqual(session.rejoined, []);
    assert.equal(r.current, renewed);
    assert.equal(listener.renewals.length, 1);
    assert.deepEqual(
      { ...listener.renewals[0]!, previous: listener.renewals[0]!.previous.value, current: listener.renewals[0]!.current.value },
      { trigger: "WILL_EXPIRE_EVENT", mode: "RENEW", previous: initial.value, current: renewed.value, attempts: 1 },
    );
    assert.deepEqual(scheduler.pending(), [T0 + 25_000 + 30_000], "the new token's timer, 30 s before its expiry");
  });

  it("renews by its own timer when no event comes", async () => {
    const r = renewer();
    await r.start(token());
    scheduler.advance(30_000 - 1);
    assert.equal(provider.calls.length, 0);
    scheduler.advance(1);
    assert.equal(provider.calls.length, 1);
    const renewed = token();
    provider.last().resolve(renewed);
    await settle();
    assert.deepEqual(session.renewed, [renewed.value]);
    assert.equal(listener.renewals[0]!.trigger, "TIMER");
    scheduler.advance(30_000);
    assert.equal(provider.calls.length, 2, "and again for the renewed token");
    assert.equal(provider.last().current, renewed);
    r.close();
  });

  it("corrects the timer for a server clock 10 minutes ahead or behind", async () => {
    const ahead = token(600_000);
    assert.equal(ahead.localExpiresAtMs(), T0 + TTL);
    const r1 = renewer();
    await r1.start(ahead);
    assert.deepEqual(scheduler.pending(), [T0 + 30_000]);
    r1.close();

    const r2 = renewer();
    await r2.start(token(-600_000));
    scheduler.runDue();
    assert.equal(provider.calls.length, 0, "read naively the token would look expired already");
    assert.deepEqual(scheduler.pending(), [T0 + 30_000]);
    r2.close();
  });

  it("follows the earliest privilege expiry, and renews short-lived tokens half-way", async () => {
    const r1 = renewer();
    await r1.start(token(0, 600_000, 100_000));
    assert.deepEqual(scheduler.pending(), [T0 + 70_000]);
    r1.close();
    const r2 = renewer();
    await r2.start(token(0, 20_000));
    assert.deepEqual(scheduler.pending(), [T0 + 10_000]);
    r2.close();
  });
});

describe("one renewal at a time", () => {
  it("an event at the timer's instant joins the renewal instead of starting another", async () => {
    const r = renewer();
    await r.start(token());
    scheduler.advance(30_000);
    session.listener!.onTokenWillExpire(null);
    assert.equal(provider.calls.length, 1);
    assert.deepEqual(listener.triggers, [["TIMER", "STARTED"], ["WILL_EXPIRE_EVENT", "ALREADY_RENEWING"]]);
    provider.last().resolve(token());
    await settle();
    assert.equal(session.renewed.length, 1);
    r.close();
  });

  it("an unnamed will-expire event right after a hand-over is about the old token: stale", async () => {
    const r = renewer();
    await r.start(token());
    scheduler.advance(30_000);
    provider.last().resolve(token());
    await settle();
    clock.set(clock.now() + 1000);
    session.listener!.onTokenWillExpire(null);
    assert.deepEqual(listener.triggers.at(-1), ["WILL_EXPIRE_EVENT", "STALE"]);
    assert.equal(provider.calls.length, 1);
    r.close();
  });

  it("an event naming a replaced token is stale, one naming the current token is not", async () => {
    const first = token();
    const r = renewer({ staleEventWindowMs: 0 });
    await r.start(first);
    r.renewNow();
    provider.last().resolve(token());
    await settle();
    session.listener!.onTokenWillExpire(first.value);
    assert.deepEqual(listener.triggers.at(-1), ["WILL_EXPIRE_EVENT", "STALE"]);
    session.listener!.onTokenWillExpire(r.current!.value);
    assert.deepEqual(listener.triggers.at(-1), ["WILL_EXPIRE_EVENT", "STARTED"]);
    r.close();
  });
});

describe("failures", () => {
  it("retries transient failures with exponential backoff and jitter", async () => {
    const r = renewer();
    await r.start(token(0, 600_000));
    r.renewNow();
    for (const expected of [800, 1600, 3200]) {
      provider.last().reject(unavailable());
      await settle();
      assert.equal(listener.failures.at(-1)!.retryInMs, expected, "1 s, 2 s, 4 s times the lowest jitter 0.8");
      scheduler.advance(expected);
    }
    assert.equal(provider.calls.length, 4);
    provider.last().resolve(token());
    await settle();
    assert.equal(listener.renewals[0]!.attempts, 4);
    r.close();
  });

  it("jitter spreads the delays, never waits past half the remaining lifetime, and honours RetryInfo", async () => {
    const r1 = renewer({ random: () => 0.999 });
    await r1.start(token(0, 600_000));
    r1.renewNow();
    provider.last().reject(unavailable());
    await settle();
    assert.equal(listener.failures.at(-1)!.retryInMs, 1200);
    r1.close();

    const r2 = renewer();
    await r2.start(token(0, 10_000));
    r2.renewNow();
    for (let i = 0; i < 4; i++) {
      provider.last().reject(unavailable());
      await settle();
      scheduler.advance(listener.failures.at(-1)!.retryInMs!);
    }
    assert.ok(clock.now() < T0 + 10_000, "still retrying before expiry");
    r2.close();

    const r3 = renewer();
    await r3.start(token(0, 600_000));
    r3.renewNow();
    provider.last().reject(status(Code.ResourceExhausted, { desc: RetryInfoSchema, value: { retryDelay: durationFromMs(7000) } }));
    await settle();
    assert.equal(listener.failures.at(-1)!.retryInMs, 7000);
    r3.close();
  });

  for (const [name, error] of [
    ["UNAUTHENTICATED", status(Code.Unauthenticated)],
    ["PERMISSION_DENIED", status(Code.PermissionDenied)],
    ["INVALID_ARGUMENT", status(Code.InvalidArgument)],
    ["RESOURCE_EXHAUSTED without RetryInfo (too large)", status(Code.ResourceExhausted)],
  ] as const) {
    it(`a permanent failure (${name}) is reported once, not retried, and stops the renewer`, async () => {
      const r = renewer();
      await r.start(token());
      scheduler.advance(30_000);
      provider.last().reject(error);
      await settle();
      assert.equal(r.state, "FAILED");
      assert.equal(listener.failures.length, 1);
      assert.equal(listener.failures[0]!.retryInMs, undefined);
      assert.deepEqual(scheduler.pending(), [], "no retry, no timer");
      session.listener!.onTokenWillExpire(null);
      assert.deepEqual(listener.triggers.at(-1), ["WILL_EXPIRE_EVENT", "IGNORED_FAILED"]);
      assert.equal(provider.calls.length, 1);
    });
  }
});

describe("after expiry", () => {
  it("an expiry event gets a fresh token through Issue and the session rejoins", async () => {
    const r = renewer();
    await r.start(token());
    session.listener!.onTokenExpired();
    assert.equal(provider.last().rpc, "issue");
    const fresh = token();
    provider.last().resolve(fresh);
    await settle();
    assert.deepEqual(session.rejoined, [fresh.value]);
    assert.equal(listener.renewals[0]!.mode, "REJOIN");
    session.listener!.onTokenExpired();
    assert.deepEqual(listener.triggers.at(-1), ["EXPIRED_EVENT", "STALE"], "a duplicate of the event that caused the rejoin");
    r.close();
  });

  it("RenewToken refused as TOKEN_EXPIRED falls back to Issue and rejoin at once", async () => {
    const r = renewer();
    await r.start(token());
    r.renewNow();
    provider.last().reject(status(Code.FailedPrecondition, { desc: ErrorInfoSchema, value: { reason: "TOKEN_EXPIRED" } }));
    await settle();
    assert.equal(listener.failures[0]!.retryInMs, 0);
    assert.equal(provider.last().rpc, "issue");
    provider.last().resolve(token());
    await settle();
    assert.equal(session.rejoined.length, 1);
    r.close();
  });

  it("an expiry during an in-flight renewal sends the result to rejoin", async () => {
    const r = renewer();
    await r.start(token());
    r.renewNow();
    session.listener!.onTokenExpired();
    provider.last().resolve(token());
    await settle();
    assert.equal(session.renewed.length, 0);
    assert.equal(session.rejoined.length, 1);
    r.close();
  });

  it("the timer finding the token already expired issues and rejoins", async () => {
    const r = renewer();
    await r.start(token(0, 20_000));
    clock.set(T0 + 25_000);
    scheduler.runDue();
    assert.equal(provider.last().rpc, "issue");
    r.close();
  });
});

describe("starting from a token string obtained elsewhere", () => {
  const appId = "0123456789abcdef0123456789abcdef";
  const certificate = "fedcba9876543210fedcba9876543210";

  it("reads the expiry from the token and renews by the timer", async () => {
    const issueTs = T0 / 1000;
    const value = mintRtcToken({ appId, certificate, channel: "c", uid: "9", issueTs, expireSeconds: 120 });
    const r = renewer();
    await r.start(value);
    assert.equal(r.current!.clockOffsetKnown, false);
    assert.equal(r.current!.expiresAt.getTime(), T0 + 120_000);
    assert.equal(r.current!.appId, appId);
    assert.deepEqual(scheduler.pending(), [T0 + 90_000]);
    scheduler.advance(90_000);
    assert.equal(provider.last().rpc, "renew");
    assert.ok(provider.last().current!.value === value, "renews the token it was given");
    const renewed = token(-90_000);
    provider.last().resolve(renewed);
    await settle();
    assert.equal(r.current!.clockOffsetKnown, true, "measured by the first renewal");
    r.close();
  });

  it("with the offset unknown, a token that looks expired is renewed, not re-issued", async () => {
    const value = mintRtcToken({ appId, certificate, channel: "c", uid: "9", issueTs: T0 / 1000 - 3600, expireSeconds: 60 });
    const r = renewer();
    await r.start(value);
    scheduler.runDue();
    assert.equal(provider.last().rpc, "renew");
    r.close();
  });

  it("a string that is not a 007 token is refused", async () => {
    await assert.rejects(renewer().start("005abc"), /not a 007 token/);
  });

  for (const [what, malformed] of [
    ["truncated inside the app id", "006abc"],
    ["nothing after the app id", "0060123456789abcdef0123456789abcdef"],
    ["not base64", "0060123456789abcdef0123456789abcdefIACx!!"],
    ["a 31-character app id", "0060123456789abcdef0123456789abcdeIAAAAAAA"],
  ]) {
    it(`a malformed 006 string (${what}) is refused with MalformedTokenError`, async () => {
      const r = renewer();
      await assert.rejects(r.start(malformed!), MalformedTokenError);
      assert.equal(r.state, "NEW");
    });
  }
});

describe("rate limit and close", () => {
  it("hands over at most two tokens per second", async () => {
    const r = renewer({ staleEventWindowMs: 0 });
    await r.start(token());
    for (let i = 0; i < 3; i++) {
      r.renewNow();
      provider.last().resolve(token());
      await settle();
    }
    assert.equal(session.renewed.length, 2);
    scheduler.advance(999);
    assert.equal(session.renewed.length, 2);
    scheduler.advance(1);
    await settle();
    assert.equal(session.renewed.length, 3);
    r.close();
  });

  it("after close nothing happens: no RPC result, timer or event reaches the session or listener", async () => {
    const r = renewer();
    await r.start(token());
    r.renewNow();
    const call = provider.last();
    const events = session.listener!;
    r.close();
    assert.equal(call.signal.aborted, true, "the call in flight is cancelled");
    assert.equal(session.listener, null, "unregistered");
    call.resolve(token());
    events.onTokenWillExpire(null);
    scheduler.advance(10 * TTL);
    await settle();
    assert.deepEqual(session.renewed, []);
    assert.equal(listener.renewals.length, 0);
    assert.equal(listener.failures.length, 0);
    assert.deepEqual(scheduler.pending(), []);
    assert.equal(r.state, "CLOSED");
    await assert.rejects(r.start(token()), /already started or closed/);
  });

  it("close from inside a listener callback stops everything", async () => {
    const r = new TokenRenewer(session, provider, {
      clock: clock.now, scheduler, random: LOWEST, log: () => {},
      listener: { onRenewed: () => r.close() },
    });
    await r.start(token());
    r.renewNow();
    provider.last().resolve(token());
    await settle();
    assert.equal(r.state, "CLOSED");
    assert.deepEqual(scheduler.pending(), []);
  });

  it("a session refusing the token is reported and the timer still runs; a throwing listener changes nothing", async () => {
    const r = renewer({ listener: { onTrigger: () => { throw new Error("listener bug"); }, onFailure: (f) => listener.onFailure(f) } });
    await r.start(token());
    session.refuse = new Error("SDK refused");
    r.renewNow();
    provider.last().resolve(token());
    await settle();
    assert.equal(listener.failures.length, 1);
    assert.equal(listener.failures[0]!.error, session.refuse);
    assert.equal(listener.failures[0]!.retryInMs, 30_000);
    assert.equal(scheduler.pending().length, 1);
    r.close();
  });
});

describe("Token", () => {
  it("never shows the token itself when printed", async () => {
    const t = token();
    const { inspect } = await import("node:util");
    for (const shown of [String(t), JSON.stringify(t), inspect(t)]) {
      assert.ok(!shown.includes(t.value), shown);
      assert.ok(shown.includes(t.sha256Prefix), shown);
    }
  });
});
