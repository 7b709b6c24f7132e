package io.tokenservice.server.auth;

/**
 * The one rule that tells the two bearer credentials apart: a JWT has the compact form
 * {@code header.payload.signature}, exactly two dots between base64url characters with a non-empty header and
 * payload (the signature part may be empty, as in an unsigned {@code alg: none} token, which is then refused as
 * a JWT rather than tried as a key). An API key never has this form: {@link ApiKeyRegistry} refuses such keys,
 * and generated keys ({@code tsk_...}) have no dot at all.
 */
public final class JwtShape {
    private JwtShape() {}

    /** Whether {@code credential} has the JWT compact form. */
    public static boolean matches(String credential) {
        int firstDot = -1;
        int secondDot = -1;
        for (int i = 0, n = credential.length(); i < n; i++) {
            char c = credential.charAt(i);
            if (c == '.') {
                if (firstDot < 0) {
                    firstDot = i;
                } else if (secondDot < 0) {
                    secondDot = i;
                } else {
                    return false;
                }
            } else if (!isBase64Url(c)) {
                return false;
            }
        }
        return secondDot > 0 && firstDot > 0 && secondDot > firstDot + 1;
    }

    private static boolean isBase64Url(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    }
}
