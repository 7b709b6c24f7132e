/** Adapter for the Agora Chat Web SDK's connection (agora-chat). */
import type { AgoraChat } from "agora-chat";
import type { AgoraSession, TokenEventListener } from "../renew/session.js";

/** The part of AgoraChat.Connection the adapter uses (so tests can pass a fake). */
export type ChatConnection = Pick<AgoraChat.Connection, "addEventHandler" | "removeEventHandler" | "renewToken" | "open" | "close">;

/**
 * An AgoraSession over a Chat connection logged in as `user`: onTokenWillExpire -> renewal through
 * renewToken; onTokenExpired -> a fresh token and open the connection again. `handlerId` names the
 * event handler the adapter registers (default "token-renewer").
 */
export function chatSession(connection: ChatConnection, user: string, handlerId = "token-renewer"): AgoraSession {
  return {
    async renewToken(token) {
      await connection.renewToken(token);
    },
    async rejoin(token) {
      connection.close();
      await connection.open({ user, accessToken: token });
    },
    setTokenEventListener(listener: TokenEventListener | null) {
      connection.removeEventHandler(handlerId);
      if (listener) {
        connection.addEventHandler(handlerId, {
          onTokenWillExpire: () => listener.onTokenWillExpire(null),
          onTokenExpired: () => listener.onTokenExpired(),
        });
      }
    },
  };
}
