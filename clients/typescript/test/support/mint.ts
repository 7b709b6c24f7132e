/**
 * Mints a 007 RTC token the way any other holder of the App Certificate would (Agora's own builders,
 * another backend), at any issue time: the "token obtained elsewhere" of the renewer's string start.
 * Written from the format spec (HMAC chain over the signing info, zlib, base64).
 */
import { createHmac } from "node:crypto";
import { deflateSync } from "node:zlib";

export interface MintRtc {
  readonly appId: string;
  readonly certificate: string;
  readonly channel: string;
  /** The uid string ("" = wildcard). */
  readonly uid: string;
  readonly issueTs: number;
  readonly expireSeconds: number;
  /** Lifetimes of privileges 1..4 (join, publish audio, video, data); default expireSeconds each. */
  readonly privilegeSeconds?: readonly [number, number, number, number];
  readonly salt?: number;
}

export function mintRtcToken(m: MintRtc): string {
  const salt = m.salt ?? 12345;
  const privileges = [1, 2, 3, 4].map((key) => [key, m.privilegeSeconds?.[key - 1] ?? m.expireSeconds] as const);
  const info = Buffer.concat([
    str(m.appId),
    u32(m.issueTs),
    u32(m.expireSeconds),
    u32(salt),
    u16(1),
    u16(1),
    u16(privileges.length),
    ...privileges.flatMap(([k, v]) => [u16(k), u32(v)]),
    str(m.channel),
    str(m.uid),
  ]);
  const k1 = createHmac("sha256", u32(m.issueTs)).update(m.certificate, "ascii").digest();
  const k2 = createHmac("sha256", u32(salt)).update(k1).digest();
  const signature = createHmac("sha256", k2).update(info).digest();
  return "007" + deflateSync(Buffer.concat([bytes(signature), info])).toString("base64");
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}

function bytes(b: Buffer): Buffer {
  return Buffer.concat([u16(b.length), b]);
}

function str(s: string): Buffer {
  return bytes(Buffer.from(s, "utf8"));
}
