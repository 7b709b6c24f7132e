package io.tokenservice.core.token;

import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A decoded 007 token: its content plus the signature and the exact signed bytes, so the signature
 * is checked against what was received rather than a re-serialisation of the parsed fields.
 */
public final class ParsedAccessToken2 implements DecodedToken {
    private final AccessToken2 content;
    private final byte[] signature;
    private final byte[] signingInfo;
    private final OptionalInt unknownServiceType;

    ParsedAccessToken2(AccessToken2 content, byte[] signature, byte[] signingInfo, OptionalInt unknownServiceType) {
        this.content = content;
        this.signature = signature;
        this.signingInfo = signingInfo;
        this.unknownServiceType = unknownServiceType;
    }

    public AccessToken2 content() {
        return content;
    }

    @Override
    public String version() {
        return AccessToken2Codec.VERSION;
    }

    @Override
    public String appId() {
        return content.appId();
    }

    @Override
    public Instant expiresAt() {
        return content.expiresAt();
    }

    /**
     * A service type this library does not know, at which parsing stopped (there is no length to
     * skip it by). The services before it are in {@link #content()}; the signature still covers all.
     */
    public OptionalInt unknownServiceType() {
        return unknownServiceType;
    }

    public byte[] signature() {
        return signature.clone();
    }

    /** The signed bytes, exactly as received. */
    public byte[] signingInfo() {
        return signingInfo.clone();
    }

    /**
     * Whether {@code appCertificate} produced this token's signature (constant-time comparison). A
     * missing certificate verifies nothing: {@code null} gives false, as in Agora's parsers.
     */
    public boolean verify(String appCertificate) {
        if (appCertificate == null) {
            return false;
        }
        byte[] expected = AccessToken2Codec.sign(appCertificate, content.issueTs(), content.salt(),
                signingInfo, 0, signingInfo.length);
        return MessageDigest.isEqual(expected, signature);
    }

    /**
     * The first of {@code certificates} (primary, then secondary during a rotation) that verifies
     * this token, if any. Missing certificates (a {@code null} collection or element) verify nothing.
     */
    public Optional<String> verifyingCertificate(Collection<String> certificates) {
        if (certificates == null) {
            return Optional.empty();
        }
        for (String certificate : certificates) {
            if (verify(certificate)) {
                return Optional.of(certificate);
            }
        }
        return Optional.empty();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ParsedAccessToken2 that
                && content.equals(that.content)
                && Arrays.equals(signature, that.signature)
                && Arrays.equals(signingInfo, that.signingInfo)
                && unknownServiceType.equals(that.unknownServiceType);
    }

    @Override
    public int hashCode() {
        return content.hashCode() * 31 + Arrays.hashCode(signature);
    }

    @Override
    public String toString() {
        return "ParsedAccessToken2[" + content + "]";
    }
}
