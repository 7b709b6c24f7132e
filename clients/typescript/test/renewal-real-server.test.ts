/**
 * The renewer end to end: fake Agora Web SDK clients (RTC, RTM, Chat) that fire the SDKs' token events
 * on fake time, the real TokenClient, and the real server jar (native gRPC). Tokens the SDKs receive are
 * decoded and compared with the request.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  AgoraService,
  ErrorKind,
  RtcRole,
  SignatureStatus,
  TokenServiceError,
  TokenVersion,
  type AgoraSession,
  type TokenEventListener,
  chatTokenProvider,
  decodeToken,
  rtcTokenProvider,
  rtmTokenProvider,
  tokenProvider,
  type IssueRtcTokenRequestInit,
  type IssueRtmTokenRequestInit,
  Token,
  type TokenProvider,
} from "../src/index.js";
import { grpcTransport } from "../src/node.js";
import { rtcSession } from "../src/agora/rtc.js";
import { rtmSession } from "../src/agora/rtm.js";
import { chatSession } from "../src/agora/chat.js";
import { FakeChatConnection, FakeRtcClient, FakeRtmClient } from "./support/fake-agora.js";
import { flush, until } from "./support/fake-time.js";
import { mintRtcToken } from "./support/mint.js";
import { type World, renewer, world as renewalWorld } from "./support/renewal.js";
import { RealServer } from "./support/server.js";

let server: RealServer;

before(async () => {
  server = await RealServer.start();
});

after(async () => {
  await server?.stop();
});

/** Fake time starting at the real now, native gRPC straight to `target`. */
function world(target: RealServer = server): World {
  return renewalWorld(grpcTransport(target.url), target.key());
}

const stage: IssueRtcTokenRequestInit = { channel: "stage", identity: { case: "uid", value: 1001 }, role: RtcRole.PUBLISHER, ttlSeconds: 120 };

async function assertRtcGrant(token: string, channel: string, uid: string): Promise<void> {
  const decoded = await decodeToken(token);
  assert.equal(decoded.appId, server.appId);
  assert.deepEqual(decoded.services.map((s) => [s.type, s.channel, s.uid]), [[AgoraService.RTC, channel, uid]]);
}

describe("RTC (agora-rtc-sdk-ng IAgoraRTCClient)", () => {
  it("renews on token-privilege-will-expire through the real RenewToken, cycle after cycle", async () => {
    const w = world();
    const first = await w.client.issueRtcToken(stage);
    const rtc = new FakeRtcClient(w.scheduler);
    await rtc.join(server.appId, "stage", first.value, 1001);
    // The renewer's own timer 10 s before expiry, so the SDK's warning (30 s before) comes first.
    const r = renewer(w, rtcSession(rtc, { appId: server.appId, channel: "stage", uid: 1001 }), rtcTokenProvider(w.client, stage), 10_000);
    await r.start(first);
    assert.equal(rtc.listenerCount("token-privilege-will-expire"), 1);

    for (let cycle = 1; cycle <= 2; cycle++) {
      w.scheduler.advance(90_000);
      await until(() => w.listener.renewals.length === cycle, `renewal ${cycle} reached the SDK`);
      await assertRtcGrant(rtc.renewed[cycle - 1]!, "stage", "1001");
      assert.ok(rtc.token === rtc.renewed[cycle - 1], "the SDK holds the renewed token");
    }
    assert.deepEqual(w.listener.triggers, [["WILL_EXPIRE_EVENT", "STARTED"], ["WILL_EXPIRE_EVENT", "STARTED"]]);
    assert.deepEqual(w.listener.renewals.map((x) => [x.trigger, x.mode, x.attempts]), [["WILL_EXPIRE_EVENT", "RENEW", 1], ["WILL_EXPIRE_EVENT", "RENEW", 1]]);
    assert.ok(rtc.renewed[0] !== first.value, "a new token");
    assert.equal(rtc.joins.length, 1, "never rejoined");
    r.close();
    assert.equal(rtc.listenerCount("token-privilege-will-expire"), 0, "unregistered on close");
    assert.equal(rtc.listenerCount("token-privilege-did-expire"), 0);
  });

  it("renews by its own timer when the SDK never warns", async () => {
    const w = world();
    const first = await w.client.issueRtcToken(stage);
    const rtc = new FakeRtcClient(w.scheduler);
    rtc.warns = false;
    await rtc.join(server.appId, "stage", first.value, 1001);
    const r = renewer(w, rtcSession(rtc, { appId: server.appId, channel: "stage", uid: 1001 }), rtcTokenProvider(w.client, stage));
    await r.start(first);
    w.scheduler.advance(90_000);
    await until(() => rtc.renewed.length === 1, "the timer's renewal reached the SDK");
    assert.deepEqual(w.listener.triggers, [["TIMER", "STARTED"]]);
    r.close();
  });

  it("while the server is down it backs off; after token-privilege-did-expire it issues a fresh token and joins again", async () => {
    const outage = await RealServer.prepare({ sameAppAndKeysAs: server });
    const w = world(outage);
    const first = await world().client.issueRtcToken(stage);
    const rtc = new FakeRtcClient(w.scheduler);
    await rtc.join(server.appId, "stage", first.value, 1001);
    const r = renewer(w, rtcSession(rtc, { appId: server.appId, channel: "stage", uid: 1001 }), rtcTokenProvider(w.client, stage));
    await r.start(first);
    try {
      w.scheduler.advance(90_000);
      const expiry = first.localExpiresAtMs();
      while (w.clock.now() < expiry) {
        const seen = w.listener.failures.length;
        await until(() => w.listener.failures.length > seen, "the attempt failed");
        const failure = w.listener.failures.at(-1)!;
        assert.equal((failure.error as TokenServiceError).kind, ErrorKind.UNAVAILABLE);
        assert.ok(failure.retryInMs! > 0);
        w.scheduler.advance(failure.retryInMs!);
      }
      assert.equal(rtc.connectionState, "DISCONNECTED", "the SDK dropped the session at expiry");
      assert.ok(w.listener.triggers.some(([t, o]) => t === "EXPIRED_EVENT" && o === "ALREADY_RENEWING"));

      // Bring the server up where the client looks, with the same app, and let the next retry run.
      await until(() => w.listener.failures.length > 0 && w.scheduler.pending().length >= 1, "a retry is pending");
      await outage.launch();
      w.scheduler.advanceTo(Math.min(...w.scheduler.pending()));
      await until(() => w.listener.renewals.length === 1, "the client joined again");
      assert.equal(rtc.joins.length, 2);
      assert.equal(rtc.joins[1]!.channel, "stage");
      assert.equal(rtc.joins[1]!.uid, 1001);
      await assertRtcGrant(rtc.joins[1]!.token!, "stage", "1001");
      const done = w.listener.renewals.at(-1)!;
      assert.equal(done.mode, "REJOIN");
      assert.ok(done.attempts > 3);
      assert.equal(r.state, "ACTIVE");
    } finally {
      r.close();
      await outage.stop();
    }
  });

  it("starts from a token string minted elsewhere with the same certificate, and renews it", async () => {
    const w = world();
    const minted = mintRtcToken({
      appId: server.appId, certificate: server.certificate, channel: "ext", uid: "77",
      issueTs: Math.floor(Date.now() / 1000), expireSeconds: 120,
    });
    const rtc = new FakeRtcClient(w.scheduler);
    await rtc.join(server.appId, "ext", minted, 77);
    const request: IssueRtcTokenRequestInit = { channel: "ext", identity: { case: "uid", value: 77 }, role: RtcRole.PUBLISHER };
    const r = renewer(w, rtcSession(rtc, { appId: server.appId, channel: "ext", uid: 77 }), rtcTokenProvider(w.client, request));
    await r.start(minted);
    assert.equal(r.current!.clockOffsetKnown, false);
    w.scheduler.advance(90_000);
    await until(() => rtc.renewed.length === 1, "the renewal reached the SDK");
    await assertRtcGrant(rtc.renewed[0]!, "ext", "77");
    assert.equal(r.current!.clockOffsetKnown, true, "measured at the first renewal");
    assert.ok(Math.abs(r.current!.clockOffsetMs() + 90_000) < 2000, "the fake clock runs 90 s ahead of the server's");
    r.close();
  });

  it("a token string expired long ago: RenewToken says TOKEN_EXPIRED, so it issues and joins", async () => {
    const w = world();
    const minted = mintRtcToken({
      appId: server.appId, certificate: server.certificate, channel: "ext", uid: "78",
      issueTs: Math.floor(Date.now() / 1000) - 3600, expireSeconds: 60,
    });
    const rtc = new FakeRtcClient(w.scheduler);
    const request: IssueRtcTokenRequestInit = { channel: "ext", identity: { case: "uid", value: 78 }, role: RtcRole.SUBSCRIBER };
    const r = renewer(w, rtcSession(rtc, { appId: server.appId, channel: "ext", uid: 78 }), rtcTokenProvider(w.client, request));
    await r.start(minted);
    w.scheduler.runDue();
    await until(() => rtc.joins.length === 1, "joined with a fresh token");
    const expired = w.listener.failures[0]!;
    assert.equal((expired.error as TokenServiceError).kind, ErrorKind.TOKEN_EXPIRED);
    assert.equal(expired.retryInMs, 0);
    await assertRtcGrant(rtc.joins[0]!.token!, "ext", "78");
    assert.deepEqual((await decodeToken(rtc.joins[0]!.token!)).services[0]!.privileges.map((p) => p.key), [1], "a subscriber's token");
    r.close();
  });

  it("a grant the caller's policy refuses stops the renewer for good", async () => {
    const w = world();
    const wildcard = mintRtcToken({
      appId: server.appId, certificate: server.certificate, channel: "ext", uid: "",
      issueTs: Math.floor(Date.now() / 1000), expireSeconds: 120,
    });
    const rtc = new FakeRtcClient(w.scheduler);
    await rtc.join(server.appId, "ext", wildcard, null);
    const request: IssueRtcTokenRequestInit = { channel: "ext", identity: { case: "uid", value: 0 }, role: RtcRole.PUBLISHER };
    const r = renewer(w, rtcSession(rtc, { appId: server.appId, channel: "ext", uid: null }), rtcTokenProvider(w.client, request));
    await r.start(wildcard);
    w.scheduler.advance(90_000);
    await until(() => r.state === "FAILED", "the renewer gave up");
    assert.equal((w.listener.failures[0]!.error as TokenServiceError).kind, ErrorKind.PERMISSION_DENIED);
    assert.equal(w.listener.failures[0]!.retryInMs, undefined);
    rtc.emit("token-privilege-will-expire");
    assert.deepEqual(w.listener.triggers.at(-1), ["WILL_EXPIRE_EVENT", "IGNORED_FAILED"]);
    await flush();
    assert.equal(w.listener.failures.length, 1, "reported once");
    assert.deepEqual(rtc.renewed, []);
    r.close();
  });
});

/** A session that only records what it is handed (the fake SDKs read 007 tokens only). */
class RecordingSession implements AgoraSession {
  listener: TokenEventListener | null = null;
  readonly renewed: string[] = [];

  renewToken(token: string): void {
    this.renewed.push(token);
  }

  rejoin(): void {
    throw new Error("not expected to rejoin");
  }

  setTokenEventListener(listener: TokenEventListener | null): void {
    this.listener = listener;
  }
}

describe("006 tokens (token_version)", () => {
  const stage006: IssueRtcTokenRequestInit = { ...stage, ttlSeconds: 60, tokenVersion: TokenVersion.TOKEN_VERSION_006 };

  it("an RTC renewer renews a 006 token with the channel and uid of its request", async () => {
    const w = world();
    const first = await w.client.issueRtcToken(stage006);
    assert.ok(first.isLegacy());
    const session = new RecordingSession();
    const r = renewer(w, session, rtcTokenProvider(w.client, stage006));
    await r.start(first);
    session.listener!.onTokenWillExpire(first.value);
    await until(() => w.listener.renewals.length === 1, "renewed");
    const renewed = session.renewed[0]!;
    assert.ok(renewed.startsWith("006") && renewed !== first.value, "a new 006 token");
    const verdict = await w.client.inspectToken({ token: renewed, appId: server.appId, channel: "stage", identity: { case: "uid", value: 1001 } });
    assert.equal(verdict.signature, SignatureStatus.VALID);
    assert.ok(verdict.accepted, verdict.summary);
    r.close();
  });

  it("an RTM renewer renews a 006 token with the user id of its request", async () => {
    const w = world();
    const request: IssueRtmTokenRequestInit = { userId: "rtm-user", ttlSeconds: 60, tokenVersion: TokenVersion.TOKEN_VERSION_006 };
    const first = await w.client.issueRtmToken(request);
    const session = new RecordingSession();
    const r = renewer(w, session, rtmTokenProvider(w.client, request));
    await r.start(first);
    w.scheduler.advance(30_000);
    await until(() => w.listener.renewals.length === 1, "renewed by the timer");
    assert.ok(session.renewed[0]!.startsWith("006") && session.renewed[0] !== first.value);
    assert.equal(r.state, "ACTIVE");
    r.close();
  });

  it("an RTC renewer started from a 006 token string renews it through the real RenewToken", async () => {
    const w = world();
    const first = await w.client.issueRtcToken(stage006);
    const fromString = await Token.fromString(first.value);
    assert.equal(fromString.appId, first.appId);
    assert.equal(fromString.issuedAt.getTime(), first.issuedAt.getTime());
    assert.equal(fromString.expiresAt.getTime(), first.expiresAt.getTime());
    assert.deepEqual(fromString.services.map((s) => [s.service, s.channel, s.uid]), [[AgoraService.RTC, "", ""]],
      "only the CRC32s of the channel and uid are in the token");
    assert.deepEqual(fromString.services[0]!.privileges.map((p) => [p.agoraKey, p.expiresAt?.seconds]),
      first.services[0]!.privileges.map((p) => [p.agoraKey, p.expiresAt?.seconds]));
    const session = new RecordingSession();
    const r = renewer(w, session, rtcTokenProvider(w.client, stage006));
    await r.start(first.value);
    session.listener!.onTokenWillExpire(first.value);
    await until(() => w.listener.renewals.length === 1, "renewed");
    const renewed = session.renewed[0]!;
    assert.ok(renewed.startsWith("006") && renewed !== first.value, "a new 006 token");
    const verdict = await w.client.inspectToken({ token: renewed, appId: server.appId, channel: "stage", identity: { case: "uid", value: 1001 } });
    assert.ok(verdict.accepted, verdict.summary);
    r.close();
  });

  it("a 006 token string issued for another channel, uid or user id is refused at start", async () => {
    const w = world();
    const rtc = (await w.client.issueRtcToken(stage006)).value;
    const rtmRequest: IssueRtmTokenRequestInit = { userId: "rtm-user", ttlSeconds: 60, tokenVersion: TokenVersion.TOKEN_VERSION_006 };
    const rtm = (await w.client.issueRtmToken(rtmRequest)).value;
    const wrong: [TokenProvider, string, RegExp][] = [
      [rtcTokenProvider(w.client, { ...stage006, channel: "other" }), rtc, /channel and uid\/account are not/],
      [rtcTokenProvider(w.client, { ...stage006, identity: { case: "uid", value: 1002 } }), rtc, /channel and uid\/account are not/],
      [rtcTokenProvider(w.client, { ...stage006, identity: { case: "account", value: "alice" } }), rtc, /channel and uid\/account are not/],
      [rtmTokenProvider(w.client, { ...rtmRequest, userId: "someone-else" }), rtm, /user id is not/],
    ];
    for (const [provider, token, message] of wrong) {
      const session = new RecordingSession();
      const r = renewer(w, session, provider);
      await assert.rejects(r.start(token), (e: Error) => e instanceof TypeError && message.test(e.message) && /CRC32/.test(e.message));
      assert.equal(r.state, "NEW");
      assert.equal(session.listener, null);
    }
    assert.deepEqual(w.scheduler.pending(), []);
  });

  it("a provider without the channel and uid refuses a 006 token at start, before any renewal", async () => {
    const w = world();
    const first = await w.client.issueRtcToken(stage006);
    const session = new RecordingSession();
    const r = renewer(w, session, tokenProvider(w.client, (signal) => w.client.issueRtcToken(stage006, { signal })));
    await assert.rejects(r.start(first), (e: Error) => e instanceof TypeError && /006/.test(e.message) && /rtcTokenProvider/.test(e.message));
    assert.equal(r.state, "NEW");
    assert.equal(session.listener, null);
    assert.deepEqual(w.scheduler.pending(), []);
  });
});

describe("a TLS client at the plaintext server", () => {
  it("stops the renewer for good with TLS_MISMATCH, as a permanent failure", async () => {
    const w = renewalWorld(grpcTransport(`https://127.0.0.1:${server.port}`), server.key());
    const first = mintRtcToken({
      appId: server.appId, certificate: server.certificate, channel: "stage", uid: "1001",
      issueTs: Math.floor(Date.now() / 1000), expireSeconds: 120,
    });
    const rtc = new FakeRtcClient(w.scheduler);
    await rtc.join(server.appId, "stage", first, 1001);
    const r = renewer(w, rtcSession(rtc, { appId: server.appId, channel: "stage", uid: 1001 }), rtcTokenProvider(w.client, stage));
    await r.start(first);
    w.scheduler.advance(90_000);
    await until(() => r.state === "FAILED", "the renewer gave up");
    const failure = w.listener.failures[0]!;
    assert.equal((failure.error as TokenServiceError).kind, ErrorKind.TLS_MISMATCH);
    assert.equal(failure.retryInMs, undefined, "no retry scheduled");
    await flush();
    assert.equal(w.listener.failures.length, 1, "reported once");
    assert.deepEqual(rtc.renewed, []);
    r.close();
  });
});

describe("RTM (agora-rtm-sdk RTMClient)", () => {
  it("renews the login token on tokenPrivilegeWillExpire, ignores stream-channel warnings, logs in again after TOKEN_EXPIRED", async () => {
    const w = world();
    const request = { userId: "rtm-user", ttlSeconds: 120 };
    const first = await w.client.issueRtmToken(request);
    const rtm = new FakeRtmClient(w.scheduler);
    await rtm.login({ token: first.value });
    const r = renewer(w, rtmSession(rtm), rtmTokenProvider(w.client, request), 10_000);
    await r.start(first);

    rtm.fireWillExpire("some-stream-channel");
    assert.deepEqual(w.listener.triggers, [], "a stream channel's token is not the login token");

    w.scheduler.advance(90_000);
    await until(() => rtm.renewed.length === 1, "renewToken");
    const renewed = await decodeToken(rtm.renewed[0]!);
    assert.deepEqual(renewed.services.map((s) => [s.type, s.userId]), [[AgoraService.RTM, "rtm-user"]]);

    w.scheduler.advance(10_000); // past the stale-event window
    rtm.fireTokenExpired();
    await until(() => w.listener.renewals.length === 2, "logged in again");
    assert.equal(rtm.logins.length, 2);
    assert.deepEqual(rtm.calls.slice(-2), ["logout", "login"]);
    assert.equal((await decodeToken(rtm.logins[1]!)).services[0]!.userId, "rtm-user");
    assert.equal(w.listener.renewals.at(-1)!.mode, "REJOIN");
    r.close();
    assert.deepEqual(rtm.calls.slice(-2), ["remove tokenPrivilegeWillExpire", "remove linkState"]);
  });
});

describe("Chat (agora-chat Connection)", () => {
  it("renews on onTokenWillExpire and opens the connection again after onTokenExpired", async () => {
    const w = world();
    const request = { subject: { case: "userId" as const, value: "chat-user" }, ttlSeconds: 120 };
    const first = await w.client.issueChatToken(request);
    const chat = new FakeChatConnection(w.scheduler);
    await chat.open({ user: "chat-user", accessToken: first.value });
    const r = renewer(w, chatSession(chat, "chat-user"), chatTokenProvider(w.client, request), 10_000);
    await r.start(first);
    assert.deepEqual(chat.handlerIds, ["token-renewer"]);

    w.scheduler.advance(90_000);
    await until(() => w.listener.renewals.length === 1, "renewToken");
    assert.deepEqual((await decodeToken(chat.renewed[0]!)).services.map((s) => [s.type, s.userId]), [[AgoraService.CHAT, "chat-user"]]);

    w.scheduler.advance(120_000); // the renewed token runs out: the SDK warned (stale window passed) and then expired
    await until(() => chat.opened.length === 2, "opened again");
    assert.equal(chat.opened[1]!.user, "chat-user");
    assert.equal((await decodeToken(chat.opened[1]!.accessToken!)).services[0]!.userId, "chat-user");
    r.close();
    assert.deepEqual(chat.handlerIds, []);
  });
});
