/**
 * The 006 reader against the 16 006 cases of Agora's builders (token-vectors.json): the fields of each
 * token, the CRC32 of the channel and uid it was signed for, what Token.fromString makes of it, and
 * malformed strings.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { AgoraService, MalformedTokenError, Privilege, Token, crc32, decodeToken006 } from "../src/index.js";

interface Vector006 {
  readonly name: string;
  readonly version: string;
  readonly expectedToken: string;
  readonly decoded: {
    readonly appId: string;
    readonly crcChannel: number;
    readonly crcUid: number;
    readonly salt: number;
    readonly ts: number;
    readonly privileges: Record<string, number>;
    readonly signedChannel: string;
    readonly signedUid: string;
  };
}

const vectors = (JSON.parse(readFileSync(new URL("../../../../core/src/test/resources/token-vectors.json", import.meta.url),
  "utf8")) as Vector006[]).filter((v) => v.version === "006");

describe("006 token reader (Agora's vectors)", () => {
  it("has the 16 cases", () => assert.equal(vectors.length, 16));

  for (const v of vectors) {
    it(`${v.name}: fields and CRC32s`, () => {
      const d = decodeToken006(v.expectedToken);
      assert.deepEqual(
        { appId: d.appId, salt: d.salt, ts: d.expireTs, crcChannel: d.crcChannel, crcUid: d.crcUid },
        { appId: v.decoded.appId, salt: v.decoded.salt, ts: v.decoded.ts, crcChannel: v.decoded.crcChannel, crcUid: v.decoded.crcUid });
      assert.deepEqual(Object.fromEntries(d.privileges.map((p) => [String(p.key), p.expireTs])), v.decoded.privileges);
      assert.equal(crc32(v.decoded.signedChannel), v.decoded.crcChannel);
      assert.equal(crc32(v.decoded.signedUid), v.decoded.crcUid);
    });

    it(`${v.name}: truncated anywhere in its content is malformed`, () => {
      for (const cut of [4, 8, 12]) {
        assert.throws(() => decodeToken006(v.expectedToken.slice(0, -cut)), MalformedTokenError);
      }
    });
  }

  it("Token.fromString: app, expiry (the earlier of ts and the latest privilege end), grants without channel or uid", async () => {
    const rtc = vectors.find((v) => v.name === "v006_rtc_uid_small_publisher")!;
    const t = await Token.fromString(rtc.expectedToken);
    assert.equal(t.appId, rtc.decoded.appId);
    assert.equal(t.expiresAt.getTime() / 1000, 1700003600);
    assert.equal(t.issuedAt.getTime() / 1000, rtc.decoded.ts - 86400, "ts is issue time + 24 h for every 006 builder");
    assert.equal(t.clockOffsetKnown, false);
    assert.ok(t.isLegacy());
    assert.deepEqual(t.services.map((s) => [s.service, s.channel, s.uid]), [[AgoraService.RTC, "", ""]]);
    assert.deepEqual(t.services[0]!.privileges.map((p) => [p.privilege, p.agoraKey, Number(p.expiresAt!.seconds)]), [
      [Privilege.RTC_JOIN_CHANNEL, 1, 1700003600],
      [Privilege.RTC_PUBLISH_AUDIO_STREAM, 2, 1700003600],
      [Privilege.RTC_PUBLISH_VIDEO_STREAM, 3, 1700003600],
      [Privilege.RTC_PUBLISH_DATA_STREAM, 4, 1700003600],
    ]);

    const rtm = await Token.fromString(vectors.find((v) => v.name === "v006_rtm_user")!.expectedToken);
    assert.deepEqual(rtm.services.map((s) => [s.service, s.privileges.map((p) => p.privilege)]),
      [[AgoraService.RTM, [Privilege.RTM_LOGIN]]]);

    const never = vectors.find((v) => v.name === "v006_rtc_uid_privilege_never")!;
    const n = await Token.fromString(never.expectedToken);
    assert.equal(n.expiresAt.getTime() / 1000, never.decoded.ts, "a privilege that never ends: the token's ts");
    assert.equal(n.services[0]!.privileges[0]!.expiresAt, undefined);
  });

  it("malformed: wrong prefix, short app id, bad base64, a 31-character app id, a signature not 32 bytes", () => {
    const good = vectors[0]!.expectedToken;
    for (const bad of [
      "007" + good.slice(3),
      good.slice(0, 20),
      good.slice(0, 35) + "!!!!" + good.slice(39),
      "006" + good.slice(4),
      "006" + good.slice(3, 35) + btoa("\x01\x00x"),
    ]) {
      assert.throws(() => decodeToken006(bad), MalformedTokenError);
    }
  });
});
