package io.tokenservice.server.config;

import io.tokenservice.core.token.AppCredentials;
import io.tokenservice.core.validation.InputRules;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One Agora app this server signs for: the primary certificate signs every new token; the optional
 * secondary certificate (the previous one, during a rotation) is accepted only for verifying tokens.
 * {@link #toString()} never shows a certificate.
 */
public record AppKeys(AppCredentials primary, Optional<String> secondaryCertificate) {
    public AppKeys {
        Objects.requireNonNull(primary, "primary");
        Objects.requireNonNull(secondaryCertificate, "secondaryCertificate");
        secondaryCertificate.ifPresent(certificate -> InputRules.requireHex32("secondaryCertificate", certificate));
    }

    public static AppKeys of(String appId, String primaryCertificate) {
        return new AppKeys(new AppCredentials(appId, primaryCertificate), Optional.empty());
    }

    public static AppKeys of(String appId, String primaryCertificate, String secondaryCertificate) {
        return new AppKeys(new AppCredentials(appId, primaryCertificate), Optional.of(secondaryCertificate));
    }

    public String appId() {
        return primary.appId();
    }

    /** The certificates that verify this app's tokens: the primary first, then the secondary. */
    public List<String> certificates() {
        return secondaryCertificate.isPresent()
                ? List.of(primary.appCertificate(), secondaryCertificate.get())
                : List.of(primary.appCertificate());
    }

    /** Whether {@code certificate} is the primary one (as returned by a verification). */
    public boolean isPrimary(String certificate) {
        return primary.appCertificate().equals(certificate);
    }

    @Override
    public String toString() {
        return "AppKeys[appId=" + appId() + ", primaryCertificate=<redacted>"
                + (secondaryCertificate.isPresent() ? ", secondaryCertificate=<redacted>" : "") + "]";
    }
}
