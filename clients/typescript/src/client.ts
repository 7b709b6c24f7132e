import type { MessageInitShape } from "@bufbuild/protobuf";
import { Code, type Client, ConnectError, createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import {
  type InspectTokenRequestSchema,
  type InspectTokenResponse,
  type IssueApaasTokenRequestSchema,
  type IssueChatTokenRequestSchema,
  type IssueRtcTokenRequestSchema,
  type IssueRtmTokenRequestSchema,
  type RenewTokenRequestSchema,
  TokenService,
} from "./gen/tokenservice/v1/token_service_pb.js";
import { ErrorKind, TokenServiceError } from "./errors.js";
import { Token } from "./token.js";

export type IssueRtcTokenRequestInit = MessageInitShape<typeof IssueRtcTokenRequestSchema>;
export type IssueRtmTokenRequestInit = MessageInitShape<typeof IssueRtmTokenRequestSchema>;
export type IssueChatTokenRequestInit = MessageInitShape<typeof IssueChatTokenRequestSchema>;
export type IssueApaasTokenRequestInit = MessageInitShape<typeof IssueApaasTokenRequestSchema>;
export type RenewTokenRequestInit = MessageInitShape<typeof RenewTokenRequestSchema>;
export type InspectTokenRequestInit = MessageInitShape<typeof InspectTokenRequestSchema>;

/** Retries of UNAVAILABLE (and nothing else), as gRPC's retry policy: random wait up to the capped backoff. */
export interface RetryOptions {
  /** Attempts per call, 1 = never retry. Default 4. */
  readonly maxAttempts?: number;
  /** Default 200 ms. */
  readonly initialBackoffMs?: number;
  /** Default 2000 ms. */
  readonly maxBackoffMs?: number;
  /** Default 2. */
  readonly multiplier?: number;
}

/**
 * Makes a connect Transport that runs the given interceptors (the client's credentials). Any connect
 * transport fits: `(interceptors) => createGrpcTransport({ baseUrl, interceptors, ...yourOptions })`.
 */
export type TransportFactory = (interceptors: Interceptor[]) => Transport;

export interface TokenClientOptions {
  /**
   * How calls reach the service, the one line that differs between Node and browsers:
   * `grpcTransport(url)` from "@tokenservice/client/node" (native gRPC, HTTP/2) or
   * `grpcWebTransport(url)` from "@tokenservice/client/web" (gRPC-Web through the gateway).
   */
  readonly transport: TransportFactory;
  /** Authenticate every call with this API key (`authorization: Bearer <key>`). */
  readonly apiKey?: string;
  /**
   * Or: a function returning the end user's JWT, called before every call (so it can refresh it);
   * sent as `authorization: Bearer <jwt>`.
   */
  readonly bearerToken?: () => string | Promise<string>;
  /**
   * Send the API key or JWT over plain http:// too. Without it the client refuses (UNAUTHENTICATED,
   * nothing sent) unless the URL is https://. For a server on localhost or behind a trusted proxy only.
   */
  readonly allowInsecure?: boolean;
  /** Deadline of each call, all retry attempts included. Default 10 000 ms. */
  readonly deadlineMs?: number;
  readonly retry?: RetryOptions;
  /** The local clock (epoch ms) that stamps Token.receivedAt (tests inject a fake). Default Date.now. Deadlines use a monotonic clock. */
  readonly clock?: () => number;
  /** Source of retry jitter in [0, 1). Default Math.random. */
  readonly random?: () => number;
}

/** Per-call options. */
export interface CallOptions {
  /** Aborting it cancels the call (it then fails with kind CANCELLED). */
  readonly signal?: AbortSignal;
  /** This call's deadline instead of the client's. */
  readonly deadlineMs?: number;
}

interface Settings {
  readonly deadlineMs: number;
  readonly maxAttempts: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly multiplier: number;
  readonly clock: () => number;
  readonly random: () => number;
}

/**
 * Typed client of tokenservice.v1.TokenService. Every method resolves to the result or rejects with a
 * TokenServiceError whose `kind` says what to do. UNAVAILABLE is retried (at most `maxAttempts`, within
 * the deadline); nothing else is: INVALID_ARGUMENT, UNAUTHENTICATED, PERMISSION_DENIED... fail at once.
 */
export class TokenClient {
  private constructor(
    private readonly stub: Client<typeof TokenService>,
    private readonly settings: Settings,
  ) {}

  static create(options: TokenClientOptions): TokenClient {
    const settings: Settings = {
      deadlineMs: positive(options.deadlineMs ?? 10_000, "deadlineMs"),
      maxAttempts: atLeastOne(options.retry?.maxAttempts ?? 4),
      initialBackoffMs: positive(options.retry?.initialBackoffMs ?? 200, "initialBackoffMs"),
      maxBackoffMs: positive(options.retry?.maxBackoffMs ?? 2000, "maxBackoffMs"),
      multiplier: positive(options.retry?.multiplier ?? 2, "multiplier"),
      clock: options.clock ?? Date.now,
      random: options.random ?? Math.random,
    };
    return new TokenClient(createClient(TokenService, transportWithCredentials(options)), settings);
  }

  /** IssueRtcToken: a token for one identity in one RTC channel (optionally also RTM login). */
  async issueRtcToken(request: IssueRtcTokenRequestInit, options?: CallOptions): Promise<Token> {
    return this.toToken(await this.call("IssueRtcToken", options, (o) => this.stub.issueRtcToken(request, o)));
  }

  /** IssueRtmToken: a token for one RTM (Signaling) user, with RTM 2.x resource permissions if it names any. */
  async issueRtmToken(request: IssueRtmTokenRequestInit, options?: CallOptions): Promise<Token> {
    return this.toToken(await this.call("IssueRtmToken", options, (o) => this.stub.issueRtmToken(request, o)));
  }

  /** IssueChatToken: an Agora Chat user or app token. */
  async issueChatToken(request: IssueChatTokenRequestInit, options?: CallOptions): Promise<Token> {
    return this.toToken(await this.call("IssueChatToken", options, (o) => this.stub.issueChatToken(request, o)));
  }

  /** IssueApaasToken: a Flexible Classroom (APaaS) room-user, user or app token. */
  async issueApaasToken(request: IssueApaasTokenRequestInit, options?: CallOptions): Promise<Token> {
    return this.toToken(await this.call("IssueApaasToken", options, (o) => this.stub.issueApaasToken(request, o)));
  }

  /**
   * RenewToken (a token string: with its original lifetime). Rejects with kind TOKEN_EXPIRED when the
   * token expired longer ago than the server's renewal grace: issue a new one then.
   */
  async renewToken(request: string | RenewTokenRequestInit, options?: CallOptions): Promise<Token> {
    const message = typeof request === "string" ? { token: request } : request;
    return this.toToken(await this.call("RenewToken", options, (o) => this.stub.renewToken(message, o)));
  }

  /** InspectToken: decodes any 006/007 token and explains whether Agora would accept it. */
  inspectToken(request: InspectTokenRequestInit, options?: CallOptions): Promise<InspectTokenResponse> {
    return this.call("InspectToken", options, (o) => this.stub.inspectToken(request, o));
  }

  /** A view of this client whose calls get `deadlineMs`; it shares the transport. */
  withDeadline(deadlineMs: number): TokenClient {
    return new TokenClient(this.stub, { ...this.settings, deadlineMs: positive(deadlineMs, "deadlineMs") });
  }

  get deadlineMs(): number {
    return this.settings.deadlineMs;
  }

  /** The clock that stamps Token.receivedAt. */
  get clock(): () => number {
    return this.settings.clock;
  }

  private toToken(response: Parameters<typeof Token.fromIssued>[0]): Token {
    return Token.fromIssued(response, this.settings.clock());
  }

  private async call<T>(
    rpc: string,
    options: CallOptions | undefined,
    invoke: (o: { signal?: AbortSignal; timeoutMs: number }) => Promise<T>,
  ): Promise<T> {
    const s = this.settings;
    const signal = options?.signal;
    const deadline = performance.now() + (options?.deadlineMs === undefined ? s.deadlineMs : positive(options.deadlineMs, "deadlineMs"));
    for (let attempt = 1; ; attempt++) {
      // gRPC's grpc-timeout header takes whole units.
      const remaining = Math.floor(deadline - performance.now());
      if (remaining <= 0) {
        throw TokenServiceError.of(rpc, Code.DeadlineExceeded, "deadline exceeded while retrying UNAVAILABLE");
      }
      try {
        return await invoke({ signal, timeoutMs: remaining });
      } catch (failure) {
        const error = TokenServiceError.from(rpc, failure);
        if (error.kind !== ErrorKind.UNAVAILABLE || error.code !== Code.Unavailable || attempt >= s.maxAttempts || signal?.aborted) {
          throw error;
        }
        const cap = Math.min(s.initialBackoffMs * s.multiplier ** (attempt - 1), s.maxBackoffMs);
        const wait = Math.min(s.random() * cap, deadline - performance.now());
        await sleep(wait, signal, rpc);
      }
    }
  }
}

/** Creates a TokenClient (same as TokenClient.create). */
export function createTokenClient(options: TokenClientOptions): TokenClient {
  return TokenClient.create(options);
}

/** The transport, with an interceptor that adds `authorization: Bearer ...`, over TLS unless allowed otherwise. */
function transportWithCredentials(options: TokenClientOptions): Transport {
  const { apiKey, bearerToken } = options;
  if (apiKey !== undefined && bearerToken !== undefined) {
    throw new TypeError("set apiKey or bearerToken, not both");
  }
  if (apiKey === undefined && bearerToken === undefined) {
    return options.transport([]);
  }
  if (apiKey !== undefined) {
    checkHeaderValue(apiKey, "apiKey");
  }
  const allowInsecure = options.allowInsecure === true;
  const credentials: Interceptor = (next) => async (req) => {
    if (!allowInsecure && new URL(req.url).protocol !== "https:") {
      throw new ConnectError(
        "not sending credentials over a connection without TLS; use https, or allowInsecure for a local server",
        Code.Unauthenticated,
      );
    }
    const secret = apiKey ?? (await bearerToken!());
    checkHeaderValue(secret, "bearerToken()");
    req.header.set("authorization", `Bearer ${secret}`);
    return next(req);
  };
  return options.transport([credentials]);
}

function checkHeaderValue(value: string, what: string): void {
  if (!/^[\x21-\x7e]+$/.test(value)) {
    throw new TypeError(`${what} must be non-empty printable ASCII without spaces`);
  }
}

function sleep(ms: number, signal: AbortSignal | undefined, rpc: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(TokenServiceError.of(rpc, Code.Canceled, "cancelled by the caller"));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, Math.max(0, ms));
    const onAbort = () => {
      clearTimeout(timer);
      reject(TokenServiceError.of(rpc, Code.Canceled, "cancelled by the caller"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function positive(n: number, what: string): number {
  if (!(n > 0) || !Number.isFinite(n)) {
    throw new RangeError(`${what} must be a positive number: ${n}`);
  }
  return n;
}

function atLeastOne(n: number): number {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`maxAttempts must be an integer of at least 1: ${n}`);
  }
  return n;
}
