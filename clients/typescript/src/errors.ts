import { Code, ConnectError } from "@connectrpc/connect";
import { durationMs } from "@bufbuild/protobuf/wkt";
import { BadRequestSchema, ErrorInfoSchema, RetryInfoSchema } from "./gen/google/rpc/error_details_pb.js";

/**
 * What went wrong, in terms of what the caller can do about it. The same kinds, with the same names, as
 * the Java client's `TokenServiceException.Kind` and the Python client's `Kind`.
 */
export const ErrorKind = {
  /** INVALID_ARGUMENT: the request is malformed; fix it (see fieldViolations), do not retry it unchanged. */
  INVALID_REQUEST: "INVALID_REQUEST",
  /** UNAUTHENTICATED: missing, unknown or revoked API key or JWT. */
  AUTHENTICATION: "AUTHENTICATION",
  /** PERMISSION_DENIED: the caller's policy forbids the request; the reason names the rule. */
  PERMISSION_DENIED: "PERMISSION_DENIED",
  /** NOT_FOUND: the server holds no certificate for the requested app id. */
  UNKNOWN_APP: "UNKNOWN_APP",
  /** FAILED_PRECONDITION with ErrorInfo TOKEN_EXPIRED: the token is too old to renew; issue a new one. */
  TOKEN_EXPIRED: "TOKEN_EXPIRED",
  /** RESOURCE_EXHAUSTED with a google.rpc.RetryInfo: the caller's rate limit; wait at least retryDelayMs. */
  RATE_LIMITED: "RATE_LIMITED",
  /** RESOURCE_EXHAUSTED without RetryInfo: the request (message or headers) is too large; waiting does not help. */
  REQUEST_TOO_LARGE: "REQUEST_TOO_LARGE",
  /** UNAVAILABLE, DEADLINE_EXCEEDED or ABORTED: transient; retry with backoff. */
  UNAVAILABLE: "UNAVAILABLE",
  /** INTERNAL, UNKNOWN or DATA_LOSS: a server bug, worth reporting; a retry may succeed. */
  SERVER_ERROR: "SERVER_ERROR",
  /** The call was cancelled on this side (an AbortSignal, or the renewer was closed). */
  CANCELLED: "CANCELLED",
  /**
   * UNAVAILABLE because this client speaks TLS (an https:// URL) and the server answered in plaintext (the
   * local development server runs without TLS): use an http:// URL with `allowInsecure: true` for such a
   * server, or point the URL at the TLS port. Or the reverse (native gRPC in Node): an http:// URL and a
   * server that speaks TLS; use https://. Retrying does not help.
   */
  TLS_MISMATCH: "TLS_MISMATCH",
  /** Any other status (e.g. UNIMPLEMENTED: the target is not a TokenService). */
  OTHER: "OTHER",
} as const;
export type ErrorKind = (typeof ErrorKind)[keyof typeof ErrorKind];

const RETRYABLE: ReadonlySet<ErrorKind> = new Set<ErrorKind>([
  ErrorKind.RATE_LIMITED,
  ErrorKind.UNAVAILABLE,
  ErrorKind.SERVER_ERROR,
]);

/** Whether repeating the same call later may succeed. */
export function isRetryable(kind: ErrorKind): boolean {
  return RETRYABLE.has(kind);
}

const PLAINTEXT_SERVER =
  "the server answered in plaintext, but this client speaks TLS (an https:// URL). For a server without TLS, " +
  "such as the local development server, use an http:// URL and allowInsecure: true; otherwise check that " +
  "the URL points at the server's TLS port";

const TLS_SERVER_BRAND = Symbol("TlsServerError");

const TLS_SERVER =
  "the server speaks TLS, but this client uses an http:// URL: use https:// (with the server's CA in the " +
  "transport's options if its certificate is not publicly trusted), or point the URL at a port without TLS";

/**
 * A plaintext (http://) call failed because the server speaks TLS, as the Node transport's probe found
 * (see tls-probe.ts); TokenServiceError.from reports it as TLS_MISMATCH.
 */
export class TlsServerError extends ConnectError {
  override readonly name = "TlsServerError";
  /** ConnectError's instanceof accepts any ConnectError, so this brand tells this one apart. */
  readonly [TLS_SERVER_BRAND] = true;

  constructor(cause: unknown) {
    super(TLS_SERVER, Code.Unavailable, undefined, undefined, cause);
  }
}

/** Whether a TlsServerError is `failure` or among its causes (connect may wrap what an interceptor throws). */
function isTlsServerError(failure: unknown): boolean {
  for (let c = failure, depth = 0; c instanceof Error && depth < 8; c = c.cause, depth++) {
    if ((c as { [TLS_SERVER_BRAND]?: boolean })[TLS_SERVER_BRAND] === true) {
      return true;
    }
  }
  return false;
}

/** ErrorInfo reason of RenewToken's FAILED_PRECONDITION for a token past the server's renewal grace. */
export const TOKEN_EXPIRED_REASON = "TOKEN_EXPIRED";

/** One offending request field of an INVALID_ARGUMENT, by proto field path (e.g. "channel"). */
export interface FieldViolation {
  readonly field: string;
  readonly description: string;
}

/**
 * A failed TokenService call, with what the server said about it: `kind` says what to do, `reason` is
 * the server's status message (for PERMISSION_DENIED it names the policy rule), `fieldViolations` the
 * offending fields of an INVALID_ARGUMENT (google.rpc.BadRequest, from grpc-status-details-bin),
 * `errorReason` the google.rpc.ErrorInfo reason and `retryDelayMs` the google.rpc.RetryInfo delay.
 */
export class TokenServiceError extends Error {
  override readonly name = "TokenServiceError";

  private constructor(
    readonly rpc: string,
    readonly kind: ErrorKind,
    /** The gRPC status code (connect's `Code`, numerically equal to gRPC's). */
    readonly code: Code,
    readonly reason: string,
    readonly fieldViolations: readonly FieldViolation[],
    readonly errorReason: string | undefined,
    readonly retryDelayMs: number | undefined,
    cause: unknown,
  ) {
    super(describe(rpc, code, reason, fieldViolations, errorReason, retryDelayMs), { cause });
  }

  /** Whether repeating the same call later may succeed. */
  get retryable(): boolean {
    return isRetryable(this.kind);
  }

  /** A local failure with a gRPC status, e.g. refusing to send credentials over plain HTTP. */
  static of(rpc: string, code: Code, reason: string): TokenServiceError {
    return new TokenServiceError(rpc, kindOf(code, undefined, false), code, reason, [], undefined, undefined, undefined);
  }

  /**
   * Converts whatever a TokenService call failed with (a ConnectError, an abort, anything else) into a
   * TokenServiceError; returns the argument itself if it already is one.
   */
  static from(rpc: string, failure: unknown): TokenServiceError {
    if (failure instanceof TokenServiceError) {
      return failure;
    }
    if (answeredInPlaintext(failure)) {
      return new TokenServiceError(rpc, ErrorKind.TLS_MISMATCH, Code.Unavailable, PLAINTEXT_SERVER, [], undefined, undefined, failure);
    }
    if (isTlsServerError(failure)) {
      return new TokenServiceError(rpc, ErrorKind.TLS_MISMATCH, Code.Unavailable, TLS_SERVER, [], undefined, undefined, failure);
    }
    const error = ConnectError.from(failure);
    const fieldViolations: FieldViolation[] = [];
    for (const badRequest of error.findDetails(BadRequestSchema)) {
      for (const v of badRequest.fieldViolations) {
        fieldViolations.push({ field: v.field, description: v.description });
      }
    }
    const errorInfo = error.findDetails(ErrorInfoSchema)[0];
    const retryInfo = error.findDetails(RetryInfoSchema)[0];
    const retryDelayMs = retryInfo?.retryDelay ? durationMs(retryInfo.retryDelay) : undefined;
    return new TokenServiceError(
      rpc,
      kindOf(error.code, errorInfo?.reason, retryInfo !== undefined),
      error.code,
      error.rawMessage,
      fieldViolations,
      errorInfo?.reason,
      retryDelayMs,
      failure,
    );
  }
}

/**
 * Node's TLS socket read a first record that was not TLS (OpenSSL's "wrong version number"): a gRPC server
 * without TLS answers a ClientHello with an HTTP/2 frame. Connect reports it as INTERNAL, with Node's error
 * as the cause.
 */
function answeredInPlaintext(failure: unknown): boolean {
  for (let c = failure, depth = 0; c instanceof Error && depth < 8; c = c.cause, depth++) {
    if ((c as { code?: unknown }).code === "ERR_SSL_WRONG_VERSION_NUMBER") {
      return true;
    }
  }
  return false;
}

function kindOf(code: Code, errorReason: string | undefined, hasRetryInfo: boolean): ErrorKind {
  switch (code) {
    case Code.InvalidArgument:
    case Code.OutOfRange:
      return ErrorKind.INVALID_REQUEST;
    case Code.Unauthenticated:
      return ErrorKind.AUTHENTICATION;
    case Code.PermissionDenied:
      return ErrorKind.PERMISSION_DENIED;
    case Code.NotFound:
      return ErrorKind.UNKNOWN_APP;
    case Code.FailedPrecondition:
      return errorReason === TOKEN_EXPIRED_REASON ? ErrorKind.TOKEN_EXPIRED : ErrorKind.OTHER;
    case Code.ResourceExhausted:
      // The server attaches RetryInfo to its rate limit only; without it the request itself is too big.
      return hasRetryInfo ? ErrorKind.RATE_LIMITED : ErrorKind.REQUEST_TOO_LARGE;
    case Code.Unavailable:
    case Code.DeadlineExceeded:
    case Code.Aborted:
      return ErrorKind.UNAVAILABLE;
    case Code.Internal:
    case Code.Unknown:
    case Code.DataLoss:
      return ErrorKind.SERVER_ERROR;
    case Code.Canceled:
      return ErrorKind.CANCELLED;
    default:
      return ErrorKind.OTHER;
  }
}

/** gRPC's name of a status code, e.g. INVALID_ARGUMENT (connect's enum says InvalidArgument). */
export function codeName(code: Code): string {
  if (code === Code.Canceled) {
    return "CANCELLED";
  }
  const name = Code[code] as string | undefined;
  return name === undefined ? String(code) : name.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();
}

function describe(
  rpc: string,
  code: Code,
  reason: string,
  violations: readonly FieldViolation[],
  errorReason: string | undefined,
  retryDelayMs: number | undefined,
): string {
  let s = `${rpc} failed: ${codeName(code)}`;
  if (errorReason) {
    s += ` (${errorReason})`;
  }
  if (reason) {
    s += `: ${reason}`;
  }
  if (violations.length > 0) {
    s += ` [${violations.map((v) => `${v.field}: ${v.description}`).join(", ")}]`;
  }
  if (retryDelayMs !== undefined) {
    s += ` [retry after ${retryDelayMs} ms]`;
  }
  return s;
}
