import type {
  IssueChatTokenRequestInit,
  IssueRtcTokenRequestInit,
  IssueRtmTokenRequestInit,
  RenewTokenRequestInit,
  TokenClient,
} from "../client.js";
import type { Token } from "../token.js";

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

/** What RenewToken needs besides a 006 token, which records only the CRC32 of its channel and uid. */
type LegacyIdentity = Pick<RenewTokenRequestInit, "channel" | "identity" | "rtmUserId">;

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
      client.renewToken(legacyIdentity && current.isLegacy() ? { token: current.value, ...legacyIdentity } : current.value, { signal }),
    issue,
    requireRenewable: (initial) => {
      if (!legacyIdentity && initial.isLegacy()) {
        throw new TypeError("cannot renew a 006 token without its channel and uid (RTC) or user id (RTM), of which " +
          "it records only the CRC32: use rtcTokenProvider or rtmTokenProvider with the request the token was issued for");
      }
    },
  };
}

/**
 * An RTC session: fresh tokens by IssueRtcToken with `request`; a 006 token is renewed with the
 * request's channel and uid or account.
 */
export function rtcTokenProvider(client: TokenClient, request: IssueRtcTokenRequestInit): TokenProvider {
  return renewingProvider(client, (signal) => client.issueRtcToken(request, { signal }),
    { channel: request.channel ?? "", identity: request.identity ?? { case: undefined } });
}

/** An RTM session: fresh tokens by IssueRtmToken with `request`; a 006 token is renewed with its user id. */
export function rtmTokenProvider(client: TokenClient, request: IssueRtmTokenRequestInit): TokenProvider {
  return renewingProvider(client, (signal) => client.issueRtmToken(request, { signal }), { rtmUserId: request.userId ?? "" });
}

/** A Chat session: fresh tokens by IssueChatToken with `request`. */
export function chatTokenProvider(client: TokenClient, request: IssueChatTokenRequestInit): TokenProvider {
  return tokenProvider(client, (signal) => client.issueChatToken(request, { signal }));
}
