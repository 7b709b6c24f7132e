import type { IssueChatTokenRequestInit, IssueRtcTokenRequestInit, IssueRtmTokenRequestInit, TokenClient } from "../client.js";
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
}

/** RenewToken through `client`; fresh tokens by `issue`. */
export function tokenProvider(client: TokenClient, issue: (signal: AbortSignal) => Promise<Token>): TokenProvider {
  return {
    renew: (current, signal) => client.renewToken(current.value, { signal }),
    issue,
  };
}

/** An RTC session: fresh tokens by IssueRtcToken with `request`. */
export function rtcTokenProvider(client: TokenClient, request: IssueRtcTokenRequestInit): TokenProvider {
  return tokenProvider(client, (signal) => client.issueRtcToken(request, { signal }));
}

/** An RTM session: fresh tokens by IssueRtmToken with `request`. */
export function rtmTokenProvider(client: TokenClient, request: IssueRtmTokenRequestInit): TokenProvider {
  return tokenProvider(client, (signal) => client.issueRtmToken(request, { signal }));
}

/** A Chat session: fresh tokens by IssueChatToken with `request`. */
export function chatTokenProvider(client: TokenClient, request: IssueChatTokenRequestInit): TokenProvider {
  return tokenProvider(client, (signal) => client.issueChatToken(request, { signal }));
}
