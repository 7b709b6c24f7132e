package io.tokenservice.client.renew;

/**
 * One Agora session whose token must be kept valid: an RTC engine joined to a channel, an RTM (Signaling)
 * client that is logged in, or an Agora Chat client. Apps implement it as a thin adapter over the SDK
 * object; the {@link TokenRenewer} bound to it then does the rest.
 *
 * <p>Typical adapters:
 * <ul>
 *   <li>RTC: {@code renewToken} calls {@code RtcEngine.renewToken(token)}; {@code rejoin} calls
 *       {@code joinChannel(token, channel, uid, options)}; the engine's {@code onTokenPrivilegeWillExpire(token)}
 *       and {@code onRequestToken()} callbacks are forwarded to the listener.</li>
 *   <li>RTM 2.x: {@code RtmClient.renewToken(token)}; {@code rejoin} logs in again; forward
 *       {@code onTokenPrivilegeWillExpire(channelName)} (as {@code onTokenWillExpire(null)}) and the
 *       TOKEN_EXPIRED link state.</li>
 *   <li>Chat: {@code ChatClient.renewToken(token)}; {@code rejoin} = {@code loginWithToken}; forward
 *       {@code onTokenWillExpire()} and {@code onTokenExpired()}.</li>
 * </ul>
 *
 * <p>The renewer calls these methods from its own serialized context, never two at a time; they should not
 * block for long.
 */
public interface AgoraSession {
    /** Hands a renewed token to the SDK while the session is still connected (the SDK's renewToken). */
    void renewToken(String token);

    /**
     * The session's token expired and the SDK dropped the session: join / log in again with this fresh
     * token.
     */
    void rejoin(String token);

    /**
     * Registers the receiver of this session's token events, replacing any previous one; {@code null}
     * unregisters it. The renewer registers itself on start and unregisters on close.
     */
    void setTokenEventListener(TokenEventListener listener);
}
