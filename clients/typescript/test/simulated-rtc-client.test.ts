/**
 * The page's simulated RTC client keeps the Web SDK's token schedule: will-expire 30 s before the first
 * privilege ends, did-expire (and out of the channel) when it ends, counted from each token it is given.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SimulatedRtcClient, WARNING_MS } from "../page/simulated-rtc-client.js";
import { FakeClock, FakeScheduler } from "./support/fake-time.js";
import { mintRtcToken } from "./support/mint.js";

function token(expireSeconds: number, privilegeSeconds?: [number, number, number, number]): string {
  return mintRtcToken({
    appId: "0123456789abcdef0123456789abcdef", certificate: "fedcba9876543210fedcba9876543210",
    channel: "demo", uid: "1234", issueTs: 1_800_000_000, expireSeconds, ...(privilegeSeconds ? { privilegeSeconds } : {}),
  });
}

/** A simulated client on fake time that records the events it fires, with their (fake) times. */
function recorded(): { client: SimulatedRtcClient; scheduler: FakeScheduler; clock: FakeClock; events: string[] } {
  const clock = new FakeClock(0);
  const scheduler = new FakeScheduler(clock);
  const client = new SimulatedRtcClient(scheduler);
  const events: string[] = [];
  client.on("token-privilege-will-expire", () => events.push(`${clock.now()} will-expire`));
  client.on("token-privilege-did-expire", () => events.push(`${clock.now()} did-expire`));
  client.on("connection-state-change", (current: string, previous: string, reason?: string) =>
    events.push(`${clock.now()} ${previous}->${current}${reason ? ` ${reason}` : ""}`));
  return { client, scheduler, clock, events };
}

describe("the page's simulated RTC client", () => {
  it("warns 30 s before the token ends, then drops out of the channel when it does", async () => {
    const { client, scheduler, events } = recorded();
    await client.join("app", "demo", token(120), 1234);
    assert.equal(client.connectionState, "CONNECTED");
    scheduler.advance(120_000 - WARNING_MS - 1);
    assert.deepEqual(events, ["0 DISCONNECTED->CONNECTING", "0 CONNECTING->CONNECTED"]);
    scheduler.advance(1);
    scheduler.advance(WARNING_MS);
    assert.deepEqual(events.slice(2), ["90000 will-expire", "120000 CONNECTED->DISCONNECTED", "120000 did-expire"]);
    assert.equal(client.connectionState, "DISCONNECTED");
  });

  it("a renewed token restarts the schedule from the moment it is handed over", async () => {
    const { client, scheduler, events } = recorded();
    await client.join("app", "demo", token(120), 1234);
    scheduler.advance(90_000);
    await client.renewToken(token(120));
    scheduler.advance(150_000);
    assert.deepEqual(events.slice(2), ["90000 will-expire", "180000 will-expire", "210000 CONNECTED->DISCONNECTED", "210000 did-expire"]);
  });

  it("warns about the first privilege to end, and at once for a token shorter than the warning", async () => {
    const early = recorded();
    await early.client.join("app", "demo", token(600, [600, 45, 600, 600]), 1);
    early.scheduler.advance(60_000);
    assert.deepEqual(early.events.slice(2), ["15000 will-expire", "45000 CONNECTED->DISCONNECTED", "45000 did-expire"]);

    const short = recorded();
    await short.client.join("app", "demo", token(10), 1);
    short.scheduler.runDue();
    assert.deepEqual(short.events.slice(2), ["0 will-expire"]);
  });

  it("after leave nothing fires, and renewToken outside a channel is refused as by the SDK", async () => {
    const { client, scheduler, events } = recorded();
    await client.join("app", "demo", token(60), 1);
    await client.leave();
    scheduler.advance(120_000);
    assert.deepEqual(events.slice(2), ["0 CONNECTED->DISCONNECTED LEAVE"]);
    await assert.rejects(client.renewToken(token(60)), /INVALID_OPERATION/);
    await client.join("app", "demo", token(60), 1);
    await assert.rejects(client.join("app", "demo", token(60), 1), /INVALID_OPERATION/);
  });

  it("a listener taken off with off() hears nothing more", async () => {
    const { client, scheduler } = recorded();
    let heard = 0;
    const listener = () => heard++;
    client.on("token-privilege-will-expire", listener);
    await client.join("app", "demo", token(60), 1);
    scheduler.advance(30_000);
    client.off("token-privilege-will-expire", listener);
    await client.renewToken(token(60));
    scheduler.advance(30_000);
    assert.equal(heard, 1);
  });
});
