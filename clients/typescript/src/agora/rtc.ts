/** Adapter for the Agora Web SDK's RTC client (agora-rtc-sdk-ng). */
import type { IAgoraRTCClient, UID } from "agora-rtc-sdk-ng";
import type { AgoraSession, TokenEventListener } from "../renew/session.js";

/** The part of IAgoraRTCClient the adapter uses (so tests can pass a fake). */
export type RtcClient = Pick<IAgoraRTCClient, "on" | "off" | "renewToken" | "join" | "leave" | "connectionState">;

/** What the client joined with, to join again after the token expired. */
export interface RtcJoin {
  readonly appId: string;
  readonly channel: string;
  /** The uid or user account the client joined as; null = let Agora pick (a wildcard token). */
  readonly uid: UID | null;
}

/**
 * An AgoraSession over an RTC client that has joined (or is joining) `join.channel`:
 * `token-privilege-will-expire` -> renewal through renewToken; `token-privilege-did-expire` -> a fresh
 * token and join again (leaving first if the client still counts itself connected).
 */
export function rtcSession(client: RtcClient, join: RtcJoin): AgoraSession {
  let registered: { willExpire: () => void; didExpire: () => void } | undefined;
  return {
    renewToken: (token) => client.renewToken(token),
    async rejoin(token) {
      if (client.connectionState !== "DISCONNECTED") {
        await client.leave();
      }
      await client.join(join.appId, join.channel, token, join.uid);
    },
    setTokenEventListener(listener: TokenEventListener | null) {
      if (registered) {
        client.off("token-privilege-will-expire", registered.willExpire);
        client.off("token-privilege-did-expire", registered.didExpire);
        registered = undefined;
      }
      if (listener) {
        registered = {
          willExpire: () => listener.onTokenWillExpire(null),
          didExpire: () => listener.onTokenExpired(),
        };
        client.on("token-privilege-will-expire", registered.willExpire);
        client.on("token-privilege-did-expire", registered.didExpire);
      }
    },
  };
}
