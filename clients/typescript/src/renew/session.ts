/**
 * The token events an Agora SDK emits, as an AgoraSession forwards them. Safe to call any number of
 * times; events about a token the renewer already replaced are recognised and ignored.
 */
export interface TokenEventListener {
  /**
   * The token (or one of its privileges) expires soon; Agora SDKs say so 30 s ahead. `token` is the
   * token the SDK named, or null when it does not say (the Web SDKs never do).
   */
  onTokenWillExpire(token: string | null): void;
  /** The token has expired and the SDK dropped the session (Web RTC token-privilege-did-expire, Chat onTokenExpired). */
  onTokenExpired(): void;
  /** The SDK asks for a new token because it can no longer use the current one (native RTC onRequestToken). */
  onRequestToken(): void;
}

/**
 * One Agora session whose token must be kept valid: an RTC client in a channel, an RTM client logged
 * in, or a Chat connection. The adapters in "@tokenservice/client/rtc", "/rtm" and "/chat" implement it
 * over the Web SDKs; the renewer calls it one call at a time.
 */
export interface AgoraSession {
  /** Hands a renewed token to the SDK while the session is still connected (the SDK's renewToken). */
  renewToken(token: string): void | Promise<void>;
  /** The token expired and the SDK dropped the session: join / log in again with this fresh token. */
  rejoin(token: string): void | Promise<void>;
  /** Registers the receiver of this session's token events, replacing any previous one; null unregisters. */
  setTokenEventListener(listener: TokenEventListener | null): void;
}
