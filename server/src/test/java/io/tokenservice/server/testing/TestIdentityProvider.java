package io.tokenservice.server.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;

/**
 * An identity provider for tests: an RSA (2048-bit, kid {@code rsa-1}) and an EC (P-256, kid {@code ec-1})
 * signing key generated once per test JVM, their public JWK set, and JWTs signed with them. {@link #other()} is
 * a second provider whose keys are in no JWK set of the first.
 */
public final class TestIdentityProvider {
    public static final String ISSUER = "https://login.example.test/";
    public static final String AUDIENCE = "token-service";

    private static TestIdentityProvider main;
    private static TestIdentityProvider other;

    public final RSAKey rsa;
    public final ECKey ec;

    private TestIdentityProvider(String suffix) {
        try {
            rsa = new RSAKeyGenerator(2048).keyID("rsa-" + suffix).generate();
            ec = new ECKeyGenerator(Curve.P_256).keyID("ec-" + suffix).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public static synchronized TestIdentityProvider get() {
        if (main == null) {
            main = new TestIdentityProvider("1");
        }
        return main;
    }

    /** Keys unknown to {@link #get()}'s JWK set (kids {@code rsa-2}, {@code ec-2}). */
    public static synchronized TestIdentityProvider other() {
        if (other == null) {
            other = new TestIdentityProvider("2");
        }
        return other;
    }

    /** The public JWK set of the given keys (of this provider when none are given). */
    public String jwks(JWK... keys) {
        List<JWK> list = keys.length == 0 ? List.of(rsa, ec) : List.of(keys);
        return new JWKSet(list.stream().map(JWK::toPublicJWK).toList()).toString(true);
    }

    /** Writes {@code json} to {@code file} atomically (as a secret-mounting tool rotates a file). */
    public static Path write(Path file, String json) {
        try {
            Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".jwks", ".tmp");
            Files.writeString(tmp, json);
            return Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Claims valid from {@code now} for an hour: issuer, audience, subject. */
    public static JWTClaimsSet.Builder claims(String subject, Instant now) {
        return new JWTClaimsSet.Builder().issuer(ISSUER).audience(AUDIENCE).subject(subject)
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plus(Duration.ofHours(1))));
    }

    /** RS256 with the RSA key (its kid in the header). */
    public String rs256(JWTClaimsSet claims) {
        return sign(JWSAlgorithm.RS256, rsa, rsa.getKeyID(), claims);
    }

    /** ES256 with the EC key (its kid in the header). */
    public String es256(JWTClaimsSet claims) {
        return sign(JWSAlgorithm.ES256, ec, ec.getKeyID(), claims);
    }

    /** A token for {@code subject} with extra claims, RS256, valid for an hour from {@code now}. */
    public String token(String subject, Instant now, Map<String, Object> extra) {
        JWTClaimsSet.Builder b = claims(subject, now);
        extra.forEach(b::claim);
        return rs256(b.build());
    }

    /** Signs with {@code key} as {@code alg}; {@code kid} may be null (no kid in the header). */
    public static String sign(JWSAlgorithm alg, JWK key, String kid, JWTClaimsSet claims) {
        try {
            JWSSigner signer = key instanceof RSAKey r ? new RSASSASigner(r) : new ECDSASigner((ECKey) key);
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(kid).build(), claims);
            jwt.sign(signer);
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
