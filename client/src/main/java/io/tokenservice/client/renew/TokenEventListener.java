package io.tokenservice.client.renew;

/**
 * The token events an Agora SDK emits, as an {@link AgoraSession} forwards them. Safe to call from any
 * thread, any number of times; events that arrive after the renewer has handled them already (for example
 * a will-expire for a token it has just replaced) are recognised and ignored.
 */
public interface TokenEventListener {
    /**
     * The token (or one of its privileges) expires soon; Agora SDKs say so 30 s ahead.
     *
     * @param token the token the SDK named (RTC's onTokenPrivilegeWillExpire passes it), or {@code null}
     *              when the SDK does not say which token (RTM, Chat); with it, an event about a token that
     *              was already replaced is told apart exactly
     */
    void onTokenWillExpire(String token);

    /** The token will expire soon; the SDK did not say which token. */
    default void onTokenWillExpire() {
        onTokenWillExpire(null);
    }

    /** The token has expired and the SDK dropped the session (e.g. Chat's onTokenExpired, RTM TOKEN_EXPIRED). */
    void onTokenExpired();

    /** The SDK asks for a new token because it can no longer use the current one (RTC's onRequestToken). */
    void onRequestToken();
}
