/**
 * Reads an Agora AccessToken2 ("007") or legacy AccessToken ("006") without verifying it: what it grants
 * and when it expires. Used when an app starts the renewer from a token string it got elsewhere, and by
 * tests to compare an issued token with the request. Runs in Node 20 and browsers (DecompressionStream, atob).
 *
 * 007: "007" + base64(zlib(bytes(signature) + string(appId) + u32 issueTs + u32 expire + u32 salt
 * + u16 count + services)), little-endian; expire and privilege values are seconds after issueTs.
 *
 * 006: "006" + appId (32 characters) + base64(bytes(signature) + u32 crcChannel + u32 crcUid
 * + bytes(u32 salt + u32 ts + u16 count + (u16 key + u32 value)*)), little-endian, not compressed; ts (the
 * token's expiry) and privilege values are absolute Unix seconds, 0 = never. The channel and uid are there
 * only as CRC32s.
 */

/** Agora's numbers for the services a 007 token can hold. */
export const AgoraService = {
  RTC: 1,
  RTM: 2,
  STREAMING: 3,
  FPA: 4,
  CHAT: 5,
  FCDN: 6,
  APAAS: 7,
  RTM2: 8,
  CONVOAI: 9,
  STT: 10,
} as const;

/** One privilege: Agora's key within its service, and its lifetime after issueTs (0 = the token's). */
export interface DecodedPrivilege {
  readonly key: number;
  readonly seconds: number;
}

/** One service block; the identity fields are filled in for the services that have them. */
export interface DecodedService {
  readonly type: number;
  readonly privileges: readonly DecodedPrivilege[];
  /** RTC, Streaming, FCDN: the channel; APaaS: the room uuid. */
  readonly channel?: string;
  /** RTC: the uid string ("" = wildcard); Streaming, FCDN: the account; APaaS: the user uuid. */
  readonly uid?: string;
  /** RTM, RTM2, Chat: the user id ("" for a Chat app token). */
  readonly userId?: string;
  /** APaaS: the role in the room (-1 in user and app tokens). */
  readonly role?: number;
  /** RTM2: access to resources, in the token's order, with Agora's numbers. */
  readonly permissions?: readonly DecodedRtm2Permission[];
}

/** RTM2: one access (Agora: 0 read, 1 write) to resources of one type (Agora: 0 message channels ... 4 users). */
export interface DecodedRtm2Permission {
  readonly resourceType: number;
  readonly access: number;
  readonly resources: readonly string[];
}

export interface DecodedToken {
  readonly appId: string;
  /** Issue time, Unix seconds, on the issuer's clock. */
  readonly issueTs: number;
  /** Lifetime in seconds after issueTs. */
  readonly expire: number;
  readonly salt: number;
  readonly services: readonly DecodedService[];
}

/** Thrown for anything that is not a well-formed 007 token. */
export class MalformedTokenError extends Error {
  override readonly name = "MalformedTokenError";
}

/** Decodes a 007 token. Never logs or echoes the token. */
export async function decodeToken(token: string): Promise<DecodedToken> {
  if (!token.startsWith("007")) {
    throw new MalformedTokenError("not a 007 token");
  }
  let compressed: Uint8Array;
  try {
    compressed = Uint8Array.from(atob(token.slice(3)), (c) => c.charCodeAt(0));
  } catch {
    throw new MalformedTokenError("token is not base64");
  }
  let content: Uint8Array;
  try {
    content = await inflate(compressed);
  } catch {
    throw new MalformedTokenError("token payload is not a zlib stream");
  }
  return parse(new Reader(content));
}

/** One 006 privilege: its key (1 join, 2/3/4 publish audio/video/data, 1000 RTM login) and absolute end. */
export interface DecodedPrivilege006 {
  readonly key: number;
  /** Unix seconds; 0 = never. */
  readonly expireTs: number;
}

export interface DecodedToken006 {
  readonly appId: string;
  readonly salt: number;
  /** The token's own expiry, Unix seconds (0 = none). */
  readonly expireTs: number;
  readonly privileges: readonly DecodedPrivilege006[];
  /** CRC32 of the channel (of the user id for RTM). */
  readonly crcChannel: number;
  /** CRC32 of the uid string (decimal uid, account, or "" for uid 0 and for RTM). */
  readonly crcUid: number;
}

const APP_ID_LENGTH_006 = 32;

/** Decodes a 006 token. Never logs or echoes the token. */
export function decodeToken006(token: string): DecodedToken006 {
  if (!token.startsWith("006")) {
    throw new MalformedTokenError("not a 006 token");
  }
  if (token.length < 3 + APP_ID_LENGTH_006) {
    throw new MalformedTokenError("token is truncated: a 006 token carries a 32-character app id after \"006\"");
  }
  const appId = token.slice(3, 3 + APP_ID_LENGTH_006);
  let content: Uint8Array;
  try {
    content = Uint8Array.from(atob(token.slice(3 + APP_ID_LENGTH_006)), (c) => c.charCodeAt(0));
  } catch {
    throw new MalformedTokenError("token is not base64 after the app id");
  }
  const r = new Reader(content);
  if (r.bytes().length !== 32) {
    throw new MalformedTokenError("signature is not 32 bytes");
  }
  const crcChannel = r.u32();
  const crcUid = r.u32();
  const m = new Reader(r.bytes());
  if (!r.atEnd()) {
    throw new MalformedTokenError("trailing bytes after the message");
  }
  const salt = m.u32();
  const expireTs = m.u32();
  const privileges: DecodedPrivilege006[] = [];
  for (let n = m.u16(); n > 0; n--) {
    const key = m.u16();
    if (privileges.some((p) => p.key === key)) {
      throw new MalformedTokenError(`privilege ${key} appears twice`);
    }
    privileges.push({ key, expireTs: m.u32() });
  }
  if (!m.atEnd()) {
    throw new MalformedTokenError("trailing bytes after the privileges");
  }
  return { appId, salt, expireTs, privileges, crcChannel, crcUid };
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) {
      c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    }
    table[n] = c >>> 0;
  }
  return table;
})();

/** The IEEE CRC-32 of `text`'s UTF-8 bytes, as a 006 token records its channel and uid. */
export function crc32(text: string): number {
  let c = 0xffffffff;
  for (const b of new TextEncoder().encode(text)) {
    c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** Whether the 006 token `decoded` was made for `channel` and the uid string `uid` (by CRC32 only). */
export function issuedFor006(decoded: DecodedToken006, channel: string, uid: string): boolean {
  return crc32(channel) === decoded.crcChannel && crc32(uid) === decoded.crcUid;
}

async function inflate(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as BlobPart]).stream().pipeThrough(new DecompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function parse(r: Reader): DecodedToken {
  r.bytes(); // signature
  const appId = r.string();
  const issueTs = r.u32();
  const expire = r.u32();
  const salt = r.u32();
  const count = r.u16();
  const services: DecodedService[] = [];
  for (let i = 0; i < count; i++) {
    services.push(service(r));
  }
  if (!r.atEnd()) {
    throw new MalformedTokenError("trailing bytes after the last service");
  }
  return { appId, issueTs, expire, salt, services };
}

function service(r: Reader): DecodedService {
  const type = r.u16();
  const privileges: DecodedPrivilege[] = [];
  for (let n = r.u16(); n > 0; n--) {
    privileges.push({ key: r.u16(), seconds: r.u32() });
  }
  switch (type) {
    case AgoraService.RTC:
      return { type, privileges, channel: r.string(), uid: r.string() };
    case AgoraService.STREAMING:
    case AgoraService.FCDN:
      return { type, privileges, channel: r.string(), uid: r.string() };
    case AgoraService.RTM:
    case AgoraService.CHAT:
      return { type, privileges, userId: r.string() };
    case AgoraService.RTM2: {
      const userId = r.string();
      return { type, privileges, userId, permissions: rtm2Permissions(r) };
    }
    case AgoraService.APAAS: {
      const channel = r.string();
      const uid = r.string();
      const role = r.u16();
      return { type, privileges, channel, uid, role: role > 0x7fff ? role - 0x10000 : role };
    }
    case AgoraService.FPA:
    case AgoraService.CONVOAI:
    case AgoraService.STT:
      return { type, privileges };
    default:
      // Service blocks carry no length, so nothing after an unknown one can be read.
      throw new MalformedTokenError(`unknown service type ${type}`);
  }
}

function rtm2Permissions(r: Reader): DecodedRtm2Permission[] {
  const permissions: DecodedRtm2Permission[] = [];
  for (let types = r.u16(); types > 0; types--) {
    const resourceType = r.u16();
    for (let accesses = r.u16(); accesses > 0; accesses--) {
      const access = r.u16();
      const resources: string[] = [];
      for (let n = r.u16(); n > 0; n--) {
        resources.push(r.string());
      }
      permissions.push({ resourceType, access, resources });
    }
  }
  return permissions;
}

class Reader {
  private offset = 0;
  private readonly view: DataView;
  private static readonly utf8 = new TextDecoder("utf-8", { fatal: true });

  constructor(private readonly data: Uint8Array) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  atEnd(): boolean {
    return this.offset === this.data.length;
  }

  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.offset, true);
    this.offset += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.offset, true);
    this.offset += 4;
    return v;
  }

  bytes(): Uint8Array {
    const n = this.u16();
    this.need(n);
    const b = this.data.subarray(this.offset, this.offset + n);
    this.offset += n;
    return b;
  }

  string(): string {
    try {
      return Reader.utf8.decode(this.bytes());
    } catch (e) {
      if (e instanceof MalformedTokenError) {
        throw e;
      }
      throw new MalformedTokenError("a string in the token is not UTF-8");
    }
  }

  private need(n: number): void {
    if (this.offset + n > this.data.length) {
      throw new MalformedTokenError("token is truncated");
    }
  }
}
