package io.tokenservice.client;

import io.tokenservice.core.issue.TokenIssuer;
import io.tokenservice.core.token.AccessToken;
import io.tokenservice.core.token.AccessToken2;
import io.tokenservice.core.token.AccessToken2Codec;
import io.tokenservice.core.token.AccessTokenCodec;
import io.tokenservice.core.token.MalformedTokenException;
import io.tokenservice.core.token.Privilege;
import io.tokenservice.core.token.Service;
import io.tokenservice.proto.grant.ServiceGrants;
import io.tokenservice.proto.v1.ServiceGrant;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Reads a {@link Token} from a 007 or 006 token string, as {@link Token#fromString} documents. */
final class TokenStrings {
    /** The farthest end a 006 token can state (u32 seconds): what "never expires" becomes. */
    private static final long NEVER = 0xFFFF_FFFFL;

    private TokenStrings() {}

    static Token read(String value) {
        return value.strip().startsWith(AccessTokenCodec.VERSION) ? read006(value.strip()) : read007(value);
    }

    /**
     * A 006 token states no issue time: its {@code ts} is the token's own expiry, which Agora's builders and this
     * service set to issue time + 24 h, so the issue time is taken as that (never after the token's end). The
     * token's end is the earlier of {@code ts} and its latest privilege end (0 = never, for either).
     */
    private static Token read006(String value) {
        AccessToken token;
        try {
            token = AccessTokenCodec.decode(value).content();
        } catch (MalformedTokenException e) {
            throw new IllegalArgumentException("not a valid 006 token: " + e.getMessage());
        }
        long latestPrivilege = token.privileges().isEmpty() ? NEVER : 0;
        for (Privilege p : token.privileges()) {
            latestPrivilege = Math.max(latestPrivilege, p.value() == 0 ? NEVER : p.value());
        }
        long end = Math.min(token.expireTs() == 0 ? NEVER : token.expireTs(), latestPrivilege);
        long issued = token.expireTs() == 0 ? end
                : Math.max(0, Math.min(end, token.expireTs() - TokenIssuer.LEGACY_TOKEN_LIFETIME_SECONDS));
        Instant issuedAt = Instant.ofEpochSecond(issued);
        return new Token(value, token.appId(), issuedAt, Instant.ofEpochSecond(end), ServiceGrants.of006(token),
                sha256Prefix(value), issuedAt, false);
    }

    private static Token read007(String value) {
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
