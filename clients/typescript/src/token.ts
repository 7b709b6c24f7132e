import { create } from "@bufbuild/protobuf";
import { timestampDate, timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  type IssuedToken,
  Privilege,
  type PrivilegeGrant,
  PrivilegeGrantSchema,
  type ServiceGrant,
  ServiceGrantSchema,
} from "./gen/tokenservice/v1/token_service_pb.js";
import { AgoraService, type DecodedService, decodeToken } from "./token-format.js";

const INSPECT = Symbol.for("nodejs.util.inspect.custom");

/**
 * A token the service issued, as received by this client.
 *
 * `issuedAt`, `expiresAt` and the privilege expiries in `services` are on the SERVER's clock;
 * `receivedAt` is this client's clock when the response arrived. Device clocks are often wrong by
 * minutes, so never compare `expiresAt` with the local clock: use `localExpiresAt()`, which corrects for
 * the offset between the two clocks (`clockOffsetMs()` = issuedAt - receivedAt, at most about a second
 * plus one network trip off, since issue times are whole seconds).
 *
 * A token read from a string (`Token.fromString`) has no known offset (`clockOffsetKnown` false): its
 * times are taken as local until the first renewal measures the offset.
 *
 * Printing a Token (toString, console.log, JSON) never shows the token itself, only its SHA-256 prefix.
 */
export class Token {
  readonly #value: string;

  private constructor(
    value: string,
    readonly appId: string,
    readonly issuedAt: Date,
    readonly expiresAt: Date,
    readonly services: readonly ServiceGrant[],
    /** First 12 hex characters of the token's SHA-256, for logs. */
    readonly sha256Prefix: string,
    readonly receivedAt: Date,
    readonly clockOffsetKnown: boolean,
  ) {
    if (expiresAt.getTime() < issuedAt.getTime()) {
      throw new RangeError("expiresAt is before issuedAt");
    }
    this.#value = value;
  }

  /** The "007..." (or "006...") token to hand to the Agora SDK. A credential: do not log it. */
  get value(): string {
    return this.#value;
  }

  /** Converts an IssuedToken response received at `receivedAtMs` (local clock). */
  static fromIssued(proto: IssuedToken, receivedAtMs: number): Token {
    if (!proto.issuedAt || !proto.expiresAt) {
      throw new TypeError("IssuedToken without issued_at/expires_at");
    }
    return new Token(
      proto.token,
      proto.appId,
      timestampDate(proto.issuedAt),
      timestampDate(proto.expiresAt),
      proto.services,
      proto.tokenSha256Prefix,
      new Date(receivedAtMs),
      true,
    );
  }

  /**
   * Reads a 007 token obtained elsewhere (its expiry and grants come from the token itself). The clock
   * offset is unknown: the token's times are taken as local ones.
   */
  static async fromString(value: string): Promise<Token> {
    const decoded = await decodeToken(value);
    const issuedMs = decoded.issueTs * 1000;
    const services = decoded.services.map((s) => serviceGrant(s, decoded.issueTs));
    return new Token(
      value,
      decoded.appId,
      new Date(issuedMs),
      new Date(issuedMs + decoded.expire * 1000),
      services,
      await sha256Prefix(value),
      new Date(issuedMs),
      false,
    );
  }

  /**
   * Whether this is a legacy AccessToken ("006"). It records only the CRC32 of its channel and uid, so
   * renewing it needs them (rtcTokenProvider, rtmTokenProvider).
   */
  isLegacy(): boolean {
    return this.#value.startsWith("006");
  }

  /** The lifetime as encoded, in milliseconds. */
  lifetimeMs(): number {
    return this.expiresAt.getTime() - this.issuedAt.getTime();
  }

  /** Server clock minus local clock, as measured when the token arrived. Positive = the local clock is behind. */
  clockOffsetMs(): number {
    return this.issuedAt.getTime() - this.receivedAt.getTime();
  }

  /** An instant on the server's clock (epoch ms) converted to the local clock. */
  toLocalMs(serverMs: number): number {
    return serverMs - this.clockOffsetMs();
  }

  /** When the token as a whole expires, local clock, epoch ms. */
  localExpiresAtMs(): number {
    return this.toLocalMs(this.expiresAt.getTime());
  }

  /**
   * The earliest moment (server clock, epoch ms) at which the token or any of its privileges ends:
   * Agora warns before each of them, and a renewal restores each privilege's lifetime.
   */
  earliestExpiryMs(): number {
    const issued = this.issuedAt.getTime();
    let earliest = this.expiresAt.getTime();
    for (const service of this.services) {
      for (const privilege of service.privileges) {
        if (privilege.expiresAt) {
          const end = timestampDate(privilege.expiresAt).getTime();
          if (end > issued && end < earliest) {
            earliest = end;
          }
        }
      }
    }
    return earliest;
  }

  /** earliestExpiryMs() on the local clock. */
  localEarliestExpiryMs(): number {
    return this.toLocalMs(this.earliestExpiryMs());
  }

  /** This token with the clock offset measured: received (local clock) at `receivedAtMs`. */
  withReceivedAt(receivedAtMs: number): Token {
    return new Token(this.#value, this.appId, this.issuedAt, this.expiresAt, this.services, this.sha256Prefix,
      new Date(receivedAtMs), true);
  }

  toString(): string {
    return `Token[sha256Prefix=${this.sha256Prefix}, appId=${this.appId}, issuedAt=${this.issuedAt.toISOString()}, ` +
      `expiresAt=${this.expiresAt.toISOString()}, receivedAt=${this.receivedAt.toISOString()}]`;
  }

  toJSON(): object {
    return {
      sha256Prefix: this.sha256Prefix,
      appId: this.appId,
      issuedAt: this.issuedAt.toISOString(),
      expiresAt: this.expiresAt.toISOString(),
      receivedAt: this.receivedAt.toISOString(),
    };
  }

  [INSPECT](): string {
    return this.toString();
  }
}

/** The same privilege names the server reports, for a token read from a string. */
function privilegeOf(service: number, key: number): Privilege {
  switch (service) {
    case AgoraService.RTC:
      return [Privilege.OTHER, Privilege.RTC_JOIN_CHANNEL, Privilege.RTC_PUBLISH_AUDIO_STREAM,
        Privilege.RTC_PUBLISH_VIDEO_STREAM, Privilege.RTC_PUBLISH_DATA_STREAM][key] ?? Privilege.OTHER;
    case AgoraService.RTM:
    case AgoraService.RTM2:
      return key === 1 ? Privilege.RTM_LOGIN : Privilege.OTHER;
    case AgoraService.CHAT:
      return key === 1 ? Privilege.CHAT_USER : key === 2 ? Privilege.CHAT_APP : Privilege.OTHER;
    default:
      return Privilege.OTHER;
  }
}

function serviceGrant(s: DecodedService, issueTs: number): ServiceGrant {
  const privileges: PrivilegeGrant[] = s.privileges.map((p) =>
    create(PrivilegeGrantSchema, {
      privilege: privilegeOf(s.type, p.key),
      agoraKey: p.key,
      expiresAt: p.seconds === 0 ? undefined : timestampFromMs((issueTs + p.seconds) * 1000),
    }),
  );
  return create(ServiceGrantSchema, {
    service: s.type,
    channel: s.channel ?? "",
    uid: s.uid ?? "",
    userId: s.userId ?? "",
    privileges,
  });
}

/** "" where Web Crypto is unavailable (pages served over plain http from another host than localhost). */
async function sha256Prefix(value: string): Promise<string> {
  if (!globalThis.crypto?.subtle) {
    return "";
  }
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(value)));
  return Array.from(digest.subarray(0, 6), (b) => b.toString(16).padStart(2, "0")).join("");
}
