/** Adapter for the Agora Signaling (RTM 2.x) Web SDK's client (agora-rtm-sdk). */
import type { RTMClient, RTMEvents } from "agora-rtm-sdk";
import type { AgoraSession, TokenEventListener } from "../renew/session.js";

/** The part of RTMClient the adapter uses (so tests can pass a fake). */
export type RtmClient = Pick<RTMClient, "addEventListener" | "removeEventListener" | "renewToken" | "login" | "logout">;

/**
 * An AgoraSession over a logged-in RTM client's login token: `tokenPrivilegeWillExpire` without a
 * channel name -> renewal through renewToken (with a channel name it concerns a stream channel's own
 * token, which this adapter does not manage); a `linkState` change for reason TOKEN_EXPIRED -> a fresh
 * token and log in again.
 */
export function rtmSession(client: RtmClient): AgoraSession {
  let registered:
    | { willExpire: RTMEvents.RTMClientEventMap["tokenPrivilegeWillExpire"]; linkState: RTMEvents.RTMClientEventMap["linkState"] }
    | undefined;
  return {
    async renewToken(token) {
      await client.renewToken(token);
    },
    async rejoin(token) {
      await client.logout().catch(() => undefined); // it may already count itself logged out
      await client.login({ token });
    },
    setTokenEventListener(listener: TokenEventListener | null) {
      if (registered) {
        client.removeEventListener("tokenPrivilegeWillExpire", registered.willExpire);
        client.removeEventListener("linkState", registered.linkState);
        registered = undefined;
      }
      if (listener) {
        registered = {
          willExpire: (channelName) => {
            if (!channelName) {
              listener.onTokenWillExpire(null);
            }
          },
          linkState: (event) => {
            if (event.reasonCode === "TOKEN_EXPIRED") {
              listener.onTokenExpired();
            }
          },
        };
        client.addEventListener("tokenPrivilegeWillExpire", registered.willExpire);
        client.addEventListener("linkState", registered.linkState);
      }
    },
  };
}
