package io.tokenservice.core.token;

import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * A decoded 006 token. Its signature covers the channel name and uid string, which the token holds
 * only as CRCs, so verification needs them from the caller.
 */
public final class ParsedAccessToken implements DecodedToken {
    private final AccessToken content;
    private final byte[] signature;
    private final byte[] message;

    ParsedAccessToken(AccessToken content, byte[] signature, byte[] message) {
        this.content = content;
        this.signature = signature;
        this.message = message;
    }

    public AccessToken content() {
        return content;
    }

    @Override
    public String version() {
        return AccessTokenCodec.VERSION;
    }

    @Override
    public String appId() {
        return content.appId();
    }

    @Override
    public Instant expiresAt() {
        return content.expiresAt();
    }

    /** Whether {@code channel} and {@code uid} are the ones this token was made for (by CRC only). */
    public boolean matches(String channel, String uid) {
        return AccessTokenCodec.crc32(channel) == content.crcChannel() && AccessTokenCodec.crc32(uid) == content.crcUid();
    }

    /**
     * Whether {@code appCertificate} signed this token for {@code channel} and {@code uid} (the uid
     * string: decimal uid, account, or empty; for RTM tokens the user id is the channel and uid is empty).
     */
    public boolean verify(String appCertificate, String channel, String uid) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(uid, "uid");
        // An empty HMAC key is not a certificate that could have signed anything.
        if (appCertificate == null || appCertificate.isEmpty()) {
            return false;
        }
        return matches(channel, uid)
                && MessageDigest.isEqual(
                        AccessTokenCodec.sign(appCertificate, content.appId(), channel, uid, message), signature);
    }

    public byte[] signature() {
        return signature.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ParsedAccessToken that
                && content.equals(that.content)
                && Arrays.equals(signature, that.signature)
                && Arrays.equals(message, that.message);
    }

    @Override
    public int hashCode() {
        return content.hashCode() * 31 + Arrays.hashCode(signature);
    }

    @Override
    public String toString() {
        return "ParsedAccessToken[" + content + "]";
    }
}
