/**
 * Through the real gateway jar in front of the real server jar, both started as processes; the gateway
 * also serves the browser page (target/page, bundled by `npm run page`):
 * - TokenClient over gRPC-Web (connect-web, the "/web" entry): errors arrive as over native gRPC (status,
 *   field violations, ErrorInfo), and the renewer works as it does straight to the server;
 * - the page in real headless Chromium: a token, the simulated SDK's warning, a renewal with a later
 *   expiry, the server's field error. Screenshots go to target/test-artifacts/.
 * One server, gateway and browser serve the whole file (each takes seconds to start); the outage test
 * stops the server and starts another in its place, so it runs last.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { Code, type Interceptor } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import type { Page } from "playwright-core";
import {
  AgoraService,
  ErrorKind,
  ProblemCode,
  RtcRole,
  TokenServiceError,
  createTokenClient,
  decodeToken,
  rtcTokenProvider,
  type IssueRtcTokenRequestInit,
  type TokenRenewer,
  type TokenClient,
  type TokenClientOptions,
} from "../src/index.js";
import { grpcTransport } from "../src/node.js";
import { grpcWebTransport } from "../src/web.js";
import { rtcSession } from "../src/agora/rtc.js";
import { HeadlessChromium } from "./support/chromium.js";
import { FakeRtcClient } from "./support/fake-agora.js";
import { until } from "./support/fake-time.js";
import { RealGateway } from "./support/gateway.js";
import { mintRtcToken } from "./support/mint.js";
import { type World, renewer, world } from "./support/renewal.js";
import { rejection } from "./support/rejection.js";
import { RealServer } from "./support/server.js";

const PAGE_DIR = fileURLToPath(new URL("../../target/page", import.meta.url));
const ARTIFACTS = fileURLToPath(new URL("../../target/test-artifacts", import.meta.url));
/** The simulated SDK warns 30 s before expiry: a 31 s token warns 1 s after the join, so a second after its issue. */
const SHORT_TTL_SECONDS = 31;

let server: RealServer;
let gateway: RealGateway;
let chromium: HeadlessChromium;
/** The server the outage test starts in place of the first one. */
let replacement: RealServer | undefined;

before(async () => {
  if (!existsSync(`${PAGE_DIR}/index.html`)) {
    throw new Error(`no page in ${PAGE_DIR}: run npm run page (Maven does, in the compile phase)`);
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  // Browser, server and gateway start side by side: the gateway waits for the server to serve.
  const browser = HeadlessChromium.launch();
  server = await RealServer.prepare();
  const front = RealGateway.start(server, { staticDir: PAGE_DIR });
  try {
    await server.launch();
  } finally {
    gateway = await front;
    chromium = await browser;
  }
});

after(async () => {
  await chromium?.close();
  await gateway?.stop();
  await server?.stop();
  await replacement?.stop();
});

function web(options: Partial<TokenClientOptions> = {}): TokenClient {
  return createTokenClient({
    transport: grpcWebTransport(gateway.url),
    apiKey: server.key(),
    allowInsecure: true,
    deadlineMs: 5000,
    ...options,
  });
}

function native(): TokenClient {
  return createTokenClient({ transport: grpcTransport(server.url), apiKey: server.key(), allowInsecure: true });
}

const lobby: IssueRtcTokenRequestInit = { channel: "lobby", identity: { case: "uid", value: 4242 }, role: RtcRole.PUBLISHER, ttlSeconds: 600 };
const stage: IssueRtcTokenRequestInit = { channel: "stage", identity: { case: "uid", value: 1001 }, role: RtcRole.PUBLISHER, ttlSeconds: 120 };

/**
 * A fake RTC client on fake time that joined "stage" with a token issued over gRPC-Web through the gateway,
 * and a renewer keeping it, through the gateway too, whose own timer runs 10 s before expiry (so the SDK's
 * warning, 30 s before, comes first).
 */
async function joinedThroughGateway(): Promise<{ w: World; rtc: FakeRtcClient; r: TokenRenewer }> {
  const w = world(grpcWebTransport(gateway.url), server.key());
  const first = await w.client.issueRtcToken(stage);
  const rtc = new FakeRtcClient(w.scheduler);
  await rtc.join(server.appId, "stage", first.value, 1001);
  const r = renewer(w, rtcSession(rtc, { appId: server.appId, channel: "stage", uid: 1001 }), rtcTokenProvider(w.client, stage), 10_000);
  await r.start(first);
  return { w, rtc, r };
}

describe("TokenClient over gRPC-Web through the real gateway", () => {
  it("speaks gRPC-Web (binary) and issues an RTC token whose content matches the request", async () => {
    const seen: string[] = [];
    const record: Interceptor = (next) => async (req) => {
      const res = await next(req);
      seen.push(`${req.url} ${res.header.get("content-type")}`);
      return res;
    };
    const client = web({ transport: (interceptors) => createGrpcWebTransport({ baseUrl: gateway.url, interceptors: [...interceptors, record] }) });
    const token = await client.issueRtcToken(lobby);
    assert.deepEqual(seen, [`${gateway.url}/tokenservice.v1.TokenService/IssueRtcToken application/grpc-web+proto`]);
    assert.equal(token.appId, server.appId);
    assert.equal(token.lifetimeMs(), 600_000);
    assert.ok(Math.abs(token.clockOffsetMs()) < 2000);
    const decoded = await decodeToken(token.value);
    assert.equal(decoded.issueTs * 1000, token.issuedAt.getTime());
    assert.deepEqual(decoded.services, [
      { type: AgoraService.RTC, channel: "lobby", uid: "4242", privileges: [1, 2, 3, 4].map((key) => ({ key, seconds: 600 })) },
    ]);
  });

  it("renews a token into a new one with the same grants and lifetime, and inspects it", async () => {
    const client = web();
    const first = await client.issueRtcToken(lobby);
    const renewed = await client.renewToken(first.value);
    assert.notEqual(renewed.value, first.value);
    assert.deepEqual((await decodeToken(renewed.value)).services, (await decodeToken(first.value)).services);
    assert.equal(renewed.lifetimeMs(), 600_000);

    const good = await client.inspectToken({ token: renewed.value, channel: "lobby", identity: { case: "uid", value: 4242 } });
    assert.equal(good.accepted, true);
    const wrong = await client.inspectToken({ token: renewed.value, channel: "elsewhere", identity: { case: "uid", value: 4242 } });
    assert.equal(wrong.accepted, false);
    assert.deepEqual(wrong.problems.map((p) => p.code), [ProblemCode.WRONG_CHANNEL]);
  });

  it("an invalid channel is INVALID_REQUEST with the server's field violations, exactly as over native gRPC", async () => {
    const bad: IssueRtcTokenRequestInit = { ...lobby, channel: "no/slash" };
    const viaGateway = await rejection(web().issueRtcToken(bad));
    const direct = await rejection(native().issueRtcToken(bad));
    assert.equal(viaGateway.kind, ErrorKind.INVALID_REQUEST);
    assert.equal(viaGateway.code, Code.InvalidArgument);
    assert.deepEqual(viaGateway.fieldViolations.map((v) => v.field), ["channel"]);
    assert.ok(viaGateway.fieldViolations[0]!.description.length > 0);
    assert.deepEqual(viaGateway.fieldViolations, direct.fieldViolations);
    assert.equal(viaGateway.reason, direct.reason);
  });

  it("without an API key, or with a wrong one, the server refuses; with its key it accepts", async () => {
    const none = await rejection(web({ apiKey: undefined }).issueRtmToken({ userId: "u" }));
    assert.equal(none.kind, ErrorKind.AUTHENTICATION);
    assert.equal(none.code, Code.Unauthenticated);
    const wrong = await rejection(web({ apiKey: "tsk_not-a-key-of-this-server" }).issueRtmToken({ userId: "u" }));
    assert.equal(wrong.kind, ErrorKind.AUTHENTICATION);
    assert.ok(!wrong.message.includes("tsk_not-a-key"), "the key is not echoed");
    const accepted = await web().issueRtmToken({ userId: "u" });
    assert.equal((await decodeToken(accepted.value)).services[0]!.userId, "u");
  });

  it("a request outside the caller's policy is PERMISSION_DENIED naming the rule", async () => {
    const e = await rejection(web().issueRtcToken({ ...lobby, identity: { case: "uid", value: 0 } }));
    assert.equal(e.kind, ErrorKind.PERMISSION_DENIED);
    assert.match(e.reason, /wildcard/);
  });

  it("a token past the renewal grace is TOKEN_EXPIRED: the ErrorInfo crosses the gateway", async () => {
    const old = mintRtcToken({
      appId: server.appId, certificate: server.certificate, channel: "lobby", uid: "4242",
      issueTs: Math.floor(Date.now() / 1000) - 3600, expireSeconds: 60,
    });
    const e = await rejection(web().renewToken(old));
    assert.equal(e.code, Code.FailedPrecondition);
    assert.equal(e.kind, ErrorKind.TOKEN_EXPIRED);
  });
});

describe("the renewer through the gateway (gRPC-Web)", () => {
  it("renews on token-privilege-will-expire, cycle after cycle, and joins again with a fresh token after expiry", async () => {
    const { w, rtc, r } = await joinedThroughGateway();
    try {
      for (let cycle = 1; cycle <= 2; cycle++) {
        w.scheduler.advance(90_000);
        await until(() => w.listener.renewals.length === cycle, `renewal ${cycle} reached the SDK`);
        const decoded = await decodeToken(rtc.renewed[cycle - 1]!);
        assert.deepEqual(decoded.services.map((s) => [s.channel, s.uid]), [["stage", "1001"]]);
      }
      assert.deepEqual(w.listener.renewals.map((x) => [x.trigger, x.mode]), [["WILL_EXPIRE_EVENT", "RENEW"], ["WILL_EXPIRE_EVENT", "RENEW"]]);

      // The SDK reports the token expired (a tab that slept through the warning), after the stale-event window.
      w.scheduler.advance(10_000);
      rtc.emit("token-privilege-did-expire");
      await until(() => w.listener.renewals.length === 3, "the client joined again");
      assert.equal(rtc.joins.length, 2);
      assert.deepEqual([w.listener.renewals[2]!.trigger, w.listener.renewals[2]!.mode], ["EXPIRED_EVENT", "REJOIN"]);
      assert.deepEqual((await decodeToken(rtc.joins[1]!.token!)).services.map((s) => [s.channel, s.uid]), [["stage", "1001"]]);
      assert.equal(r.state, "ACTIVE");
    } finally {
      r.close();
    }
  });
});

async function fill(page: Page, form: { apiKey: string; channel: string; uid: string; ttl: number }): Promise<void> {
  await page.fill("#api-key", form.apiKey);
  await page.fill("#channel", form.channel);
  await page.fill("#uid", form.uid);
  await page.fill("#ttl", String(form.ttl));
}

describe("the browser page, in headless Chromium, served by the gateway", () => {
  it("shows a token, then the simulated SDK's warning and a renewal with a later expiry", async () => {
    const { page, problems } = await chromium.open(`${gateway.url}/`);
    try {
      assert.match(await page.locator("#client-title").innerText(), /SIMULATED/);
      await fill(page, { apiKey: server.key(), channel: "browser-demo", uid: "4321", ttl: SHORT_TTL_SECONDS });
      await page.click("#join");

      await page.waitForSelector("#token[data-sha256]");
      const issued = (await page.locator("#token").getAttribute("data-sha256"))!;
      const issuedExpiry = Number(await page.locator("#expires").getAttribute("data-expires-at"));
      assert.match(issued, /^[0-9a-f]{12}$/);
      assert.match(await page.locator("#token").innerText(), /^007\S+… \(SHA-256 [0-9a-f]{12}\)$/);
      assert.equal(await page.locator("#connection").innerText(), "CONNECTED");

      await page.waitForSelector("#renewals tbody tr");
      const row = page.locator("#renewals tbody tr").first();
      const cells = await row.locator("td").allInnerTexts();
      const renewedExpiry = Number(await row.getAttribute("data-expires-at"));
      assert.equal(cells[2], "WILL_EXPIRE_EVENT");
      assert.equal(cells[3], "renewToken");
      assert.ok(renewedExpiry > issuedExpiry, `the renewal expires later: ${renewedExpiry} > ${issuedExpiry}`);
      await page.waitForFunction((sha) => document.getElementById("token")?.dataset.sha256 !== sha, issued);
      const renewed = (await page.locator("#token").getAttribute("data-sha256"))!;
      assert.equal(cells[5], `${issued} -> ${renewed}`);
      assert.equal(Number(await page.locator("#expires").getAttribute("data-expires-at")), renewedExpiry);
      assert.match(await page.locator("#log").innerText(), /SDK event \(simulated\): token-privilege-will-expire\n.*renewer: WILL_EXPIRE_EVENT -> STARTED/);

      // What the page shows is what the server issued and renewed.
      const audit = server.auditRecords().filter((r) => r.outcome === "OK");
      assert.ok(audit.some((r) => r.rpc === "IssueRtcToken" && r.token_sha256 === issued && r.channel === "browser-demo" && r.ttl === SHORT_TTL_SECONDS));
      assert.ok(audit.some((r) => r.rpc === "RenewToken" && r.token_sha256 === renewed));

      await page.screenshot({ path: `${ARTIFACTS}/page-renewal.png`, fullPage: true });

      assert.deepEqual(await page.evaluate(() => [localStorage.length, sessionStorage.length, document.cookie]), [0, 0, ""],
        "the page stores nothing (the key stays in memory)");
      await page.click("#leave");
      await page.waitForFunction(() => document.getElementById("connection")?.textContent === "DISCONNECTED");
      assert.equal(await page.locator("#token").innerText(), "none");
      assert.match(await page.locator("#log").innerText(), /left the channel; renewer closed$/);
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
  });

  it("an invalid channel shows the server's field error, and no token", async () => {
    const request: IssueRtcTokenRequestInit = { ...lobby, channel: "no/slash", identity: { case: "uid", value: 4321 }, ttlSeconds: 60 };
    const direct = await rejection(native().issueRtcToken(request));
    const { page, problems } = await chromium.open(`${gateway.url}/`);
    try {
      await fill(page, { apiKey: server.key(), channel: request.channel!, uid: "4321", ttl: 60 });
      await page.click("#join");
      await page.waitForSelector("#error .violations li");
      assert.equal(await page.locator("#error h3").innerText(), "IssueRtcToken refused: INVALID_ARGUMENT (INVALID_REQUEST)");
      assert.deepEqual(await page.locator("#error .violations li").allInnerTexts(),
        direct.fieldViolations.map((v) => `${v.field}: ${v.description}`));
      assert.equal(await page.locator("#token").innerText(), "none");
      await page.screenshot({ path: `${ARTIFACTS}/page-field-error.png`, fullPage: true });
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
  });

  it("without an API key the server refuses the call, and the page says what to do", async () => {
    const { page, problems } = await chromium.open(`${gateway.url}/`);
    try {
      await fill(page, { apiKey: "", channel: "browser-demo", uid: "4321", ttl: 60 });
      await page.click("#join");
      await page.waitForSelector("#error h3");
      assert.equal(await page.locator("#error h3").innerText(), "IssueRtcToken refused: UNAUTHENTICATED (AUTHENTICATION)");
      assert.match(await page.locator("#error").innerText(), /Paste an API key/);
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
  });
});

describe("an outage of the token server behind the gateway (last: it replaces the server)", () => {
  const GATEWAY_RECOVERY_MS = 10_000;

  it("the renewer backs off on the gateway's UNAVAILABLE, then renews once a server is back", async () => {
    const { w, rtc, r } = await joinedThroughGateway();
    try {
      await server.stop();
      w.scheduler.advance(90_000);
      await until(() => w.listener.failures.length === 1, "the first attempt failed");
      assert.equal((w.listener.failures[0]!.error as TokenServiceError).kind, ErrorKind.UNAVAILABLE);
      assert.ok(w.listener.failures[0]!.retryInMs! > 0, "retried later");

      // The same service back on the same port. The gateway probes a server it lost every 500 ms and then
      // reconnects without its back-off, so retries spaced in real time succeed within a few seconds;
      // retries in quick succession may all still meet the old, failed connection.
      replacement = await RealServer.start({ port: server.port, sameAppAndKeysAs: server });
      const giveUpAt = Date.now() + GATEWAY_RECOVERY_MS;
      while (w.listener.renewals.length === 0) {
        assert.ok(Date.now() < giveUpAt, `renewed within ${GATEWAY_RECOVERY_MS} ms of the server's return`);
        await new Promise((resolve) => setTimeout(resolve, 200));
        const failed = w.listener.failures.length;
        w.scheduler.advance(w.listener.failures.at(-1)!.retryInMs!);
        await until(() => w.listener.renewals.length === 1 || w.listener.failures.length > failed, "the retry's outcome", 30_000);
        assert.equal((w.listener.failures.at(-1)!.error as TokenServiceError).kind, ErrorKind.UNAVAILABLE);
      }
      assert.deepEqual([w.listener.renewals[0]!.mode, rtc.renewed.length], ["RENEW", 1]);
      assert.ok(w.listener.renewals[0]!.attempts >= 2);
    } finally {
      r.close();
    }
  });

  it("no API key or App Certificate ever appeared in the gateway's or the servers' output", () => {
    assert.match(gateway.log, /token gateway listening/, "the gateway's log was captured");
    for (const secret of [...server.keys.values(), server.certificate]) {
      for (const [who, output] of [["gateway", gateway.log], ["server", server.log], ["replacement server", replacement?.log ?? ""]]) {
        assert.ok(!output!.includes(secret), `a secret appeared in the ${who}'s output`);
      }
    }
  });
});
