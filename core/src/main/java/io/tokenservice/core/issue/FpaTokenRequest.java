package io.tokenservice.core.issue;

/**
 * An FPA (Full-path Acceleration) token: login for {@code ttlSeconds}. Agora's FPA builders take no
 * lifetime and always write one day ({@link #agoraDefault()}); the login privilege carries 0, "as
 * long as the token".
 */
public record FpaTokenRequest(long ttlSeconds) {
    public static final long AGORA_TTL_SECONDS = 24 * 60 * 60;

    /** What Agora's {@code FpaTokenBuilder.buildToken(appId, appCertificate)} writes. */
    public static FpaTokenRequest agoraDefault() {
        return new FpaTokenRequest(AGORA_TTL_SECONDS);
    }
}
