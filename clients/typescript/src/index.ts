/**
 * TypeScript client of the Agora token service (tokenservice.v1.TokenService): the typed client, its
 * error type, tokens, and the renewer. Transports: "@tokenservice/client/node" (native gRPC) and
 * "@tokenservice/client/web" (gRPC-Web); Agora Web SDK adapters: "/rtc", "/rtm", "/chat".
 */
export {
  TokenClient,
  createTokenClient,
  type CallOptions,
  type InspectTokenRequestInit,
  type IssueApaasTokenRequestInit,
  type IssueChatTokenRequestInit,
  type IssueRtcTokenRequestInit,
  type IssueRtmTokenRequestInit,
  type RenewTokenRequestInit,
  type RetryOptions,
  type TokenClientOptions,
  type TransportFactory,
} from "./client.js";
export { ErrorKind, TokenServiceError, TOKEN_EXPIRED_REASON, codeName, isRetryable, type FieldViolation } from "./errors.js";
export { Token } from "./token.js";
export {
  AgoraService,
  MalformedTokenError,
  crc32,
  decodeToken,
  decodeToken006,
  type DecodedPrivilege,
  type DecodedPrivilege006,
  type DecodedService,
  type DecodedToken,
  type DecodedToken006,
} from "./token-format.js";
export { Backoff } from "./renew/backoff.js";
export { RateLimiter } from "./renew/rate-limiter.js";
export { timerScheduler, type Cancellable, type Scheduler } from "./renew/scheduler.js";
export type { AgoraSession, TokenEventListener } from "./renew/session.js";
export type { HandoverMode, Renewal, RenewalFailure, RenewalListener, Trigger, TriggerOutcome } from "./renew/events.js";
export { chatTokenProvider, rtcTokenProvider, rtmTokenProvider, tokenProvider, type TokenProvider } from "./renew/provider.js";
export { TokenRenewer, type RenewerState, type TokenRenewerOptions } from "./renew/renewer.js";
export * from "./gen/tokenservice/v1/token_service_pb.js";
