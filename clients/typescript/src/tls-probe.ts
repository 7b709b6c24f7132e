/**
 * Tells a plaintext (http://) client pointed at a TLS port apart from a network failure, in Node. A TLS server
 * drops an HTTP/2 connection that starts in plaintext without a word (Node reports a stream closed with
 * CANCEL or a reset, as it would for a server that crashed), so a failure of that shape is confirmed by a TLS handshake
 * with the port: it succeeds (or ends in a TLS alert) only if the server speaks TLS. Nothing is sent over it,
 * so the server's certificate is not checked.
 */
import { isIP } from "node:net";
import { connect } from "node:tls";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { TlsServerError } from "./errors.js";

/** Long enough for a server on the same network; the probe runs only after a call has already failed. */
export const PROBE_TIMEOUT_MS = 1000;

/** How Node reports the dropped connection: a stream closed with CANCEL, a reset (ABORTED), or so. */
const DROPPED: ReadonlySet<Code> = new Set([Code.Canceled, Code.Aborted, Code.Unavailable, Code.Internal, Code.Unknown]);

/** Errors that say no connection was made: nothing was dropped, so there is nothing to probe. */
const NOT_CONNECTED = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "ETIMEDOUT"]);

/**
 * An interceptor for a Node transport to `baseUrl`: a connection dropped before the server answered is
 * TLS_MISMATCH (a TlsServerError) when the URL is http:// and the port speaks TLS, and otherwise UNAVAILABLE,
 * transient: Node reports a stream closed with CANCEL, which is no cancellation of the caller's.
 */
export function droppedConnections(baseUrl: string): Interceptor {
  const url = new URL(baseUrl);
  const plaintext = url.protocol === "http:";
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const port = Number(url.port || (plaintext ? 80 : 443));
  return (next) => async (req) => {
    try {
      return await next(req);
    } catch (failure) {
      if (req.signal.aborted || !droppedBeforeAnswer(failure)) {
        throw failure;
      }
      if (plaintext && (await speaksTls(host, port))) {
        throw new TlsServerError(failure);
      }
      if (ConnectError.from(failure).code === Code.Canceled) {
        throw new ConnectError("the connection closed before the server answered", Code.Unavailable, undefined,
          undefined, failure);
      }
      throw failure;
    }
  };
}

function droppedBeforeAnswer(failure: unknown): boolean {
  if (!DROPPED.has(ConnectError.from(failure).code)) {
    return false;
  }
  for (let c = failure, depth = 0; c instanceof Error && depth < 8; c = c.cause, depth++) {
    if (NOT_CONNECTED.has(String((c as { code?: unknown }).code))) {
      return false;
    }
  }
  return true;
}

function speaksTls(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, servername: isIP(host) ? undefined : host, rejectUnauthorized: false });
    const finish = (tls: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(tls);
    };
    const timer = setTimeout(() => finish(false), PROBE_TIMEOUT_MS);
    socket.once("secureConnect", () => finish(true));
    // A TLS alert (e.g. the server wants a client certificate) still says the server speaks TLS.
    socket.once("error", (e: Error & { code?: string }) => finish(/^ERR_SSL_.*ALERT/.test(e.code ?? "")));
  });
}
