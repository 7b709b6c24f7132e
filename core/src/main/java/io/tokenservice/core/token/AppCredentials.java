package io.tokenservice.core.token;

import io.tokenservice.core.validation.InputRules;

/**
 * An Agora App ID with the App Certificate that signs its tokens. Both are used as ASCII text, in
 * the case given; {@link #toString()} never shows the certificate.
 */
public record AppCredentials(String appId, String appCertificate) {
    public AppCredentials {
        InputRules.requireHex32("appId", appId);
        InputRules.requireHex32("appCertificate", appCertificate);
    }

    @Override
    public String toString() {
        return "AppCredentials[appId=" + appId + ", appCertificate=<redacted>]";
    }
}
