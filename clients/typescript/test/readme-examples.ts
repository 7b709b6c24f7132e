/**
 * The README's examples, type-checked by tsc (never run here: the Web SDK needs a browser and Agora).
 * AgoraRTC is a parameter because the SDK's CommonJS default export types differently under NodeNext than
 * under the bundlers browser apps use.
 * Keep them in step with README.md.
 */
import type { IAgoraRTC } from "agora-rtc-sdk-ng";
import { ErrorKind, RtcRole, TokenRenewer, TokenServiceError, createTokenClient, rtcTokenProvider, type IssueRtcTokenRequestInit } from "../src/index.js";
import { grpcTransport } from "../src/node.js";
import { grpcWebTransport } from "../src/web.js";
import { rtcSession } from "../src/agora/rtc.js";

export async function tenLines(): Promise<void> {
  const tokens = createTokenClient({
    transport: grpcTransport("https://tokens.example.com"), // browsers: grpcWebTransport(url) from "/web"
    apiKey: process.env.TOKEN_SERVICE_API_KEY!,
  });
  try {
    const token = await tokens.issueRtcToken({ channel: "demo", identity: { case: "uid", value: 1234 }, role: RtcRole.PUBLISHER });
    console.log(`token ${token.sha256Prefix} expires ${token.expiresAt.toISOString()}`);
  } catch (e) {
    if (e instanceof TokenServiceError && e.kind === ErrorKind.INVALID_REQUEST) console.error(e.fieldViolations);
    else throw e;
  }
}

export async function inBrowsers(keyFromYourBackend: string, channel: string, uid: number): Promise<void> {
  const tokens = createTokenClient({ transport: grpcWebTransport(location.origin), apiKey: keyFromYourBackend });
  try {
    const token = await tokens.issueRtcToken({ channel, identity: { case: "uid", value: uid }, role: RtcRole.PUBLISHER });
    console.log(`token ${token.sha256Prefix}, expires ${token.expiresAt.toISOString()}`);
  } catch (e) {
    if (e instanceof TokenServiceError && e.kind === ErrorKind.INVALID_REQUEST) {
      for (const v of e.fieldViolations) console.warn(`${v.field}: ${v.description}`); // e.g. the channel's rule
    } else throw e;
  }
}

export async function renewal(AgoraRTC: IAgoraRTC, userJwt: () => Promise<string>): Promise<() => Promise<void>> {
  const tokens = createTokenClient({ transport: grpcWebTransport(location.origin), bearerToken: userJwt });
  const request: IssueRtcTokenRequestInit = { channel: "demo", identity: { case: "uid", value: 1234 }, role: RtcRole.PUBLISHER };
  const token = await tokens.issueRtcToken(request);

  const client = AgoraRTC.createClient({ mode: "rtc", codec: "vp8" });
  await client.join(token.appId, "demo", token.value, 1234);
  const renewer = new TokenRenewer(rtcSession(client, { appId: token.appId, channel: "demo", uid: 1234 }), rtcTokenProvider(tokens, request), {
    listener: {
      onRenewed: (r) => console.log(`${r.trigger}: new token, expires ${r.current.expiresAt.toISOString()}`),
      onFailure: (f) => console.warn(f.retryInMs === undefined ? "renewal stopped" : `retry in ${f.retryInMs} ms`, f.error),
    },
  });
  await renewer.start(token);

  return async () => {
    renewer.close();
    await client.leave();
  };
}
