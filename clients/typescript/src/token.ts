import { create } from "@bufbuild/protobuf";
import { timestampDate, timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  type IssuedToken,
  Privilege,
  type PrivilegeGrant,
  PrivilegeGrantSchema,
  Rtm2Access,
  Rtm2PermissionSchema,
  Rtm2ResourceType,
  type ServiceGrant,
  ServiceGrantSchema,
} from "./gen/tokenservice/v1/token_service_pb.js";
import {
  AgoraService,
  type DecodedService,
  type DecodedToken006,
  decodeToken,
  decodeToken006,
} from "./token-format.js";

/** The lifetime every 006 builder (Agora's and this service's) gives the token itself: ts = issue time + 24 h. */
const LEGACY_TOKEN_LIFETIME_SECONDS = 24 * 60 * 60;
/** The farthest end a 006 token can state (u32 seconds): what "never expires" becomes. */
const NEVER_006 = 0xffffffff;
/** The 006 privilege key of RTM login; the others are RTC privileges. */
const RTM_LOGIN_006 = 1000;

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
   * Reads a 007 or 006 token obtained elsewhere (its expiry and grants come from the token itself). The
   * clock offset is unknown: the token's times are taken as local ones.
   *
   * A 006 token holds its channel and uid only as CRC32s, so its grants name neither; it states no issue
   * time, so that is taken as its expiry (ts) minus the 24 h every 006 builder writes; it ends at the
   * earlier of ts and its latest privilege end (0 = never). Throws MalformedTokenError for anything else.
   */
  static async fromString(value: string): Promise<Token> {
    if (value.startsWith("006")) {
      return Token.from006(value, decodeToken006(value));
    }
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

  private static async from006(value: string, decoded: DecodedToken006): Promise<Token> {
    let latestPrivilege = decoded.privileges.length === 0 ? NEVER_006 : 0;
    for (const p of decoded.privileges) {
      latestPrivilege = Math.max(latestPrivilege, p.expireTs === 0 ? NEVER_006 : p.expireTs);
    }
    const end = Math.min(decoded.expireTs === 0 ? NEVER_006 : decoded.expireTs, latestPrivilege);
    const issued = decoded.expireTs === 0 ? end
      : Math.max(0, Math.min(end, decoded.expireTs - LEGACY_TOKEN_LIFETIME_SECONDS));
    const issuedAt = new Date(issued * 1000);
    return new Token(value, decoded.appId, issuedAt, new Date(end * 1000), services006(decoded),
      await sha256Prefix(value), issuedAt, false);
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
    case AgoraService.APAAS:
      return [Privilege.OTHER, Privilege.APAAS_ROOM_USER, Privilege.APAAS_USER, Privilege.APAAS_APP][key] ?? Privilege.OTHER;
    default:
      return Privilege.OTHER;
  }
}

/** As InspectToken reports a 006 token: RTC for its RTC privileges, RTM for RTM login, no channel or uid. */
function services006(decoded: DecodedToken006): ServiceGrant[] {
  const grant = (p: { key: number; expireTs: number }): PrivilegeGrant =>
    create(PrivilegeGrantSchema, {
      privilege: p.key === RTM_LOGIN_006 ? Privilege.RTM_LOGIN : privilegeOf(AgoraService.RTC, p.key),
      agoraKey: p.key,
      expiresAt: p.expireTs === 0 ? undefined : timestampFromMs(p.expireTs * 1000),
    });
  const rtc = decoded.privileges.filter((p) => p.key !== RTM_LOGIN_006).map(grant);
  const rtm = decoded.privileges.filter((p) => p.key === RTM_LOGIN_006).map(grant);
  const services: ServiceGrant[] = [];
  if (rtc.length > 0 || rtm.length === 0) {
    services.push(create(ServiceGrantSchema, { service: AgoraService.RTC, privileges: rtc }));
  }
  if (rtm.length > 0) {
    services.push(create(ServiceGrantSchema, { service: AgoraService.RTM, privileges: rtm }));
  }
  return services;
}

function serviceGrant(s: DecodedService, issueTs: number): ServiceGrant {
  const privileges: PrivilegeGrant[] = s.privileges.map((p) =>
    create(PrivilegeGrantSchema, {
      privilege: privilegeOf(s.type, p.key),
      agoraKey: p.key,
      expiresAt: p.seconds === 0 ? undefined : timestampFromMs((issueTs + p.seconds) * 1000),
    }),
  );
  if (s.type === AgoraService.APAAS) {
    // As the server answers: the room and role in fields of their own, the user uuid as the user id.
    return create(ServiceGrantSchema, {
      service: s.type,
      apaasRoomUuid: s.channel ?? "",
      userId: s.uid ?? "",
      apaasRole: s.role ?? 0,
      privileges,
    });
  }
  return create(ServiceGrantSchema, {
    service: s.type,
    channel: s.channel ?? "",
    uid: s.uid ?? "",
    userId: s.userId ?? "",
    rtm2Permissions: (s.permissions ?? []).map((p) =>
      create(Rtm2PermissionSchema, {
        // The contract numbers from 1 (0 = unspecified); Agora from 0.
        resourceType: p.resourceType <= 4 ? ((p.resourceType + 1) as Rtm2ResourceType) : Rtm2ResourceType.UNSPECIFIED,
        access: p.access <= 1 ? ((p.access + 1) as Rtm2Access) : Rtm2Access.UNSPECIFIED,
        resources: [...p.resources],
      }),
    ),
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
