/**
 * Compile-time check, run by tsc (not a test file): the adapters accept the Agora Web SDKs' real client
 * types, as declared by agora-rtc-sdk-ng, agora-rtm-sdk and agora-chat (installed for their types only).
 */
import type { IAgoraRTCClient } from "agora-rtc-sdk-ng";
import type { RTMClient } from "agora-rtm-sdk";
import type { AgoraChat } from "agora-chat";
import { rtcSession } from "../src/agora/rtc.js";
import { rtmSession } from "../src/agora/rtm.js";
import { chatSession } from "../src/agora/chat.js";
import type { AgoraSession } from "../src/renew/session.js";

export function sessionsOverTheRealSdkClients(rtc: IAgoraRTCClient, rtm: RTMClient, chat: AgoraChat.Connection): AgoraSession[] {
  return [rtcSession(rtc, { appId: "app", channel: "demo", uid: 1234 }), rtmSession(rtm), chatSession(chat, "user")];
}
