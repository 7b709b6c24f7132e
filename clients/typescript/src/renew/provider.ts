import type {
  IssueChatTokenRequestInit,
  IssueRtcTokenRequestInit,
  IssueRtmTokenRequestInit,
  RenewTokenRequestInit,
  TokenClient,
} from "../client.js";
import type { Token } from "../token.js";
import { decodeToken006, issuedFor006 } from "../token-format.js";

/**
 * Where a TokenRenewer gets tokens: RenewToken for a token that is still renewable, and the original
 * Issue request for a fresh one after expiry. Failures should be TokenServiceErrors. `signal` aborts
 * when the renewer is closed.
 */
export interface TokenProvider {
  /** RenewToken: same grants as `current`, new issue time and expiry. */
  renew(current: Token, signal: AbortSignal): Promise<Token>;
  /** A fresh token for the same session, through the Issue RPC. */
  issue(signal: AbortSignal): Promise<Token>;
  /**
   * Called by TokenRenewer.start with the session's first token, so that a token this provider could
   * never renew is refused there rather than at the first renewal: throws a TypeError saying why.
   * Absent: every token.
   */
  requireRenewable?(initial: Token): void;
}

/**
 * What RenewToken needs besides a 006 token, which records only the CRC32 of its channel and uid; the
 * channel and uid slots those CRC32s cover (for RTM the user id and ""), checked at start; what they are
 * called in the refusal.
 */
interface LegacyIdentity {
  readonly renewal: Pick<RenewTokenRequestInit, "channel" | "identity" | "rtmUserId">;
  readonly channelSlot: string;
  readonly uidSlot: string;
  readonly slots: string;
}

/**
 * RenewToken through `client`; fresh tokens by `issue`. It renews 007 tokens only: a 006 token records
 * only the CRC32 of its channel and uid, so its renewal needs them, which rtcTokenProvider and
 * rtmTokenProvider take from their request.
 */
export function tokenProvider(client: TokenClient, issue: (signal: AbortSignal) => Promise<Token>): TokenProvider {
  return renewingProvider(client, issue, undefined);
}

function renewingProvider(
  client: TokenClient,
  issue: (signal: AbortSignal) => Promise<Token>,
  legacyIdentity: LegacyIdentity | undefined,
): TokenProvider {
  return {
    renew: (current, signal) =>
      client.renewToken(legacyIdentity && current.isLegacy() ? { token: current.value, ...legacyIdentity.renewal } : current.value,
        { signal }),
    issue,
    requireRenewable: (initial) => {
      if (!legacyIdentity && initial.isLegacy()) {
        throw new TypeError("cannot renew a 006 token without its channel and uid (RTC) or user id (RTM), of which " +
          "it records only the CRC32: use rtcTokenProvider or rtmTokenProvider with the request the token was issued for");
      }
      // Caught here, the mistake is named; at the first renewal it would be the server's refusal.
      if (legacyIdentity && initial.isLegacy() &&
        !issuedFor006(decodeToken006(initial.value), legacyIdentity.channelSlot, legacyIdentity.uidSlot)) {
        throw new TypeError(`this provider's ${legacyIdentity.slots} not the one(s) the 006 token was issued for ` +
          "(a CRC32 differs): use the request the token was issued for");
      }
    },
  };
}

/**
 * An RTC session: fresh tokens by IssueRtcToken with `request`; a 006 token is renewed with the
 * request's channel and uid or account.
 */
export function rtcTokenProvider(client: TokenClient, request: IssueRtcTokenRequestInit): TokenProvider {
  const identity = request.identity ?? { case: undefined };
  return renewingProvider(client, (signal) => client.issueRtcToken(request, { signal }), {
    renewal: { channel: request.channel ?? "", identity },
    channelSlot: request.channel ?? "",
    // The uid string a 006 token signs: decimal uid, the account, or "" for uid 0 (the wildcard).
    uidSlot: identity.case === "uid" ? (identity.value === 0 ? "" : String(identity.value >>> 0))
      : identity.case === "account" ? identity.value : "",
    slots: "channel and uid/account are",
  });
}

/** An RTM session: fresh tokens by IssueRtmToken with `request`; a 006 token is renewed with its user id. */
export function rtmTokenProvider(client: TokenClient, request: IssueRtmTokenRequestInit): TokenProvider {
  const userId = request.userId ?? "";
  return renewingProvider(client, (signal) => client.issueRtmToken(request, { signal }),
    { renewal: { rtmUserId: userId }, channelSlot: userId, uidSlot: "", slots: "user id is" });
}

/** A Chat session: fresh tokens by IssueChatToken with `request`. */
export function chatTokenProvider(client: TokenClient, request: IssueChatTokenRequestInit): TokenProvider {
  return tokenProvider(client, (signal) => client.issueChatToken(request, { signal }));
}
