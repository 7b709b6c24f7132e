package io.tokenservice.client;

import io.tokenservice.core.token.AccessToken2;
import io.tokenservice.core.token.AccessToken2Codec;
import io.tokenservice.core.token.MalformedTokenException;
import io.tokenservice.core.token.Service;
import io.tokenservice.proto.grant.ServiceGrants;
import io.tokenservice.proto.v1.ServiceGrant;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Reads a {@link Token} from a 007 token string, as {@link Token#fromString} documents. */
final class TokenStrings {
    private TokenStrings() {}

    static Token read(String value) {
        AccessToken2 token;
        try {
            token = AccessToken2Codec.decode(value.strip()).content();
        } catch (MalformedTokenException e) {
            // The message says what is wrong with the format; the token itself is a credential.
            throw new IllegalArgumentException("not a 007 token: " + e.getMessage());
        }
        List<ServiceGrant> services = new ArrayList<>(token.services().size());
        for (Service service : token.services()) {
            services.add(ServiceGrants.of(service, token.issueTs()));
        }
        return new Token(value.strip(), token.appId(), token.issuedAt(), token.expiresAt(), services,
                sha256Prefix(value.strip()), token.issuedAt(), false);
    }

    private static String sha256Prefix(String value) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
