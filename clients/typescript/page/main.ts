/**
 * The browser page the gateway serves at "/": it shows the join-and-renew loop of Agora's token tutorial
 * against this service, with the package's TokenClient (gRPC-Web to the gateway that served the page),
 * TokenRenewer and RTC adapter driving a simulated RTC client. The API key lives only in this module's memory while a session runs.
 */
import type { UID } from "agora-rtc-sdk-ng";
import { rtcSession } from "../src/agora/rtc.js";
import { type IssueRtcTokenRequestInit, type TokenClient, createTokenClient } from "../src/client.js";
import { ErrorKind, TokenServiceError, codeName } from "../src/errors.js";
import { RtcRole } from "../src/gen/tokenservice/v1/token_service_pb.js";
import type { Renewal, RenewalFailure } from "../src/renew/events.js";
import { rtcTokenProvider } from "../src/renew/provider.js";
import { TokenRenewer } from "../src/renew/renewer.js";
import type { Token } from "../src/token.js";
import { grpcWebTransport } from "../src/web.js";
import { SimulatedRtcClient } from "./simulated-rtc-client.js";

const MAX_UINT32 = 0xffff_ffff;

/** What a join needs, read from the form. */
interface JoinInput {
  readonly apiKey: string;
  readonly request: IssueRtcTokenRequestInit;
  readonly channel: string;
  readonly uid: UID;
}

interface Session {
  readonly client: SimulatedRtcClient;
  readonly renewer: TokenRenewer;
  readonly countdown: ReturnType<typeof setInterval>;
}

/** A mistake in the form, found before anything is sent. */
class InputError extends Error {}

let session: Session | undefined;

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) {
    throw new Error(`the page has no #${id}`);
  }
  return found as T;
}

const form = element<HTMLFormElement>("join-form");
const joinButton = element<HTMLButtonElement>("join");
const leaveButton = element<HTMLButtonElement>("leave");
const errorBox = element<HTMLElement>("error");
const connection = element<HTMLElement>("connection");
const tokenView = element<HTMLElement>("token");
const expiresView = element<HTMLElement>("expires");
const renewalRows = element<HTMLTableElement>("renewals").tBodies[0]!;
const log = element<HTMLOListElement>("log");

form.addEventListener("submit", (event) => {
  event.preventDefault();
  void join();
});
leaveButton.addEventListener("click", () => void leave());

function readForm(): JoinInput {
  const channel = element<HTMLInputElement>("channel").value;
  const uidText = element<HTMLInputElement>("uid").value.trim();
  const ttl = Number(element<HTMLInputElement>("ttl").value);
  if (!Number.isInteger(ttl) || ttl < 0 || ttl > MAX_UINT32) {
    throw new InputError("the token lifetime must be a whole number of seconds");
  }
  let uid: UID;
  let identity: IssueRtcTokenRequestInit["identity"];
  if (/^[0-9]+$/.test(uidText)) {
    uid = Number(uidText);
    if (uid > MAX_UINT32) {
      throw new InputError(`a numeric uid is at most ${MAX_UINT32}; anything else is a user account`);
    }
    identity = { case: "uid", value: uid };
  } else {
    uid = uidText;
    identity = { case: "account", value: uidText };
  }
  const role = element<HTMLSelectElement>("role").value === "subscriber" ? RtcRole.SUBSCRIBER : RtcRole.PUBLISHER;
  return {
    apiKey: element<HTMLInputElement>("api-key").value.trim(),
    request: { channel, identity, role, ttlSeconds: ttl },
    channel,
    uid,
  };
}

/**
 * Plain http is acceptable only to this machine: anywhere else the key would cross the network in clear,
 * so the client refuses to send it (and the page shows why).
 */
function loopbackOrigin(): boolean {
  const host = location.hostname;
  return host === "localhost" || host.endsWith(".localhost") || host === "127.0.0.1" || host === "[::1]";
}

function tokenClient(apiKey: string): TokenClient {
  return createTokenClient({
    transport: grpcWebTransport(location.origin),
    ...(apiKey === "" ? {} : { apiKey }),
    allowInsecure: loopbackOrigin(),
  });
}

async function join(): Promise<void> {
  clearError();
  joinButton.disabled = true;
  try {
    await leave();
    const input = readForm();
    const tokens = tokenClient(input.apiKey);
    const token = await tokens.issueRtcToken(input.request);
    renewalRows.replaceChildren();
    log.replaceChildren();
    note(`issued token ${token.sha256Prefix} for channel "${input.channel}", lifetime ${token.lifetimeMs() / 1000} s`);

    const client = new SimulatedRtcClient();
    watch(client);
    await client.join(token.appId, input.channel, token.value, input.uid);
    showToken(token);

    const renewer = new TokenRenewer(
      rtcSession(client, { appId: token.appId, channel: input.channel, uid: input.uid }),
      rtcTokenProvider(tokens, input.request),
      {
        listener: {
          onTrigger: (trigger, outcome) => note(`renewer: ${trigger} -> ${outcome}`),
          onRenewed: (renewal) => renewed(renewal),
          onFailure: (failure) => failed(failure),
        },
        log: (message) => note(`renewer: ${message}`),
      },
    );
    session = { client, renewer, countdown: setInterval(() => showExpiry(renewer.current), 1000) };
    await renewer.start(token);
    leaveButton.disabled = false;
  } catch (e) {
    showError(e);
  } finally {
    joinButton.disabled = false;
  }
}

async function leave(): Promise<void> {
  const ending = session;
  if (!ending) {
    return;
  }
  session = undefined;
  clearInterval(ending.countdown);
  ending.renewer.close();
  await ending.client.leave();
  leaveButton.disabled = true;
  delete tokenView.dataset.sha256;
  tokenView.textContent = "none";
  delete expiresView.dataset.expiresAt;
  expiresView.textContent = "–";
  note("left the channel; renewer closed");
}

/** Logs the SDK events the simulated client fires, as an app would see them. */
function watch(client: SimulatedRtcClient): void {
  client.on("token-privilege-will-expire", () => note("SDK event (simulated): token-privilege-will-expire"));
  client.on("token-privilege-did-expire", () => note("SDK event (simulated): token-privilege-did-expire"));
  client.on("connection-state-change", (current: string, previous: string, reason?: string) => {
    connection.textContent = current;
    note(`SDK event (simulated): connection-state-change ${previous} -> ${current}${reason ? ` (${reason})` : ""}`);
  });
}

function renewed(renewal: Renewal): void {
  const row = renewalRows.insertRow();
  row.dataset.expiresAt = String(renewal.current.expiresAt.getTime());
  for (const text of [
    String(renewalRows.rows.length),
    new Date().toLocaleTimeString(),
    renewal.trigger,
    renewal.mode === "RENEW" ? "renewToken" : "join again",
    String(renewal.attempts),
    `${renewal.previous.sha256Prefix} -> ${renewal.current.sha256Prefix}`,
    renewal.current.expiresAt.toISOString(),
  ]) {
    row.insertCell().textContent = text;
  }
  showToken(renewal.current);
  note(`${renewal.mode === "RENEW" ? "renewed" : "joined again"}: token ${renewal.current.sha256Prefix}, expires ${renewal.current.expiresAt.toISOString()}`);
}

function failed(failure: RenewalFailure): void {
  const what = failure.error instanceof Error ? failure.error.message : String(failure.error);
  if (failure.retryInMs === undefined) {
    showError(failure.error); // the renewer's own log line has already said that it stopped
  } else {
    note(`attempt ${failure.attempt} failed, next in ${Math.round(failure.retryInMs)} ms: ${what}`);
  }
}

function showToken(token: Token): void {
  tokenView.dataset.sha256 = token.sha256Prefix;
  tokenView.textContent = `${token.value.slice(0, 15)}… (SHA-256 ${token.sha256Prefix})`;
  expiresView.dataset.expiresAt = String(token.expiresAt.getTime());
  showExpiry(token);
}

function showExpiry(token: Token | undefined): void {
  if (!token) {
    return;
  }
  const left = Math.round((token.localExpiresAtMs() - Date.now()) / 1000);
  expiresView.textContent = `${token.expiresAt.toISOString()} (server clock), ${left >= 0 ? `in ${left} s` : `${-left} s ago`}`;
}

function note(text: string): void {
  const item = document.createElement("li");
  item.textContent = `${new Date().toLocaleTimeString()}  ${text}`;
  log.append(item);
}

function clearError(): void {
  errorBox.hidden = true;
  errorBox.replaceChildren();
}

/** What to do about each kind of failure, in the page's terms. */
const ADVICE: Partial<Record<ErrorKind, string>> = {
  [ErrorKind.INVALID_REQUEST]: "The server rejected these fields:",
  [ErrorKind.AUTHENTICATION]: "Paste an API key the token server accepts (the development server prints one at start).",
  [ErrorKind.PERMISSION_DENIED]: "The caller's policy does not allow this request.",
  [ErrorKind.UNAVAILABLE]: "The gateway or the token server cannot be reached; try again.",
  [ErrorKind.RATE_LIMITED]: "Too many calls for this caller; wait a moment.",
};

function showError(error: unknown): void {
  const heading = document.createElement("h3");
  const detail = document.createElement("p");
  errorBox.replaceChildren(heading, detail);
  if (error instanceof TokenServiceError) {
    heading.textContent = `${error.rpc} refused: ${codeName(error.code)} (${error.kind})`;
    detail.textContent = error.reason;
    const advice = ADVICE[error.kind];
    if (advice) {
      const p = document.createElement("p");
      p.textContent = advice;
      errorBox.append(p);
    }
    if (error.fieldViolations.length > 0) {
      const list = document.createElement("ul");
      list.className = "violations";
      for (const v of error.fieldViolations) {
        const item = document.createElement("li");
        const field = document.createElement("code");
        field.textContent = v.field;
        item.append(field, `: ${v.description}`);
        list.append(item);
      }
      errorBox.append(list);
    }
  } else {
    heading.textContent = error instanceof InputError ? "Check the form" : "Error";
    detail.textContent = error instanceof Error ? error.message : String(error);
  }
  errorBox.hidden = false;
}
