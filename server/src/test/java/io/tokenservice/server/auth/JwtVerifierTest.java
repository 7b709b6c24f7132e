package io.tokenservice.server.auth;

import static io.tokenservice.server.testing.TestIdentityProvider.AUDIENCE;
import static io.tokenservice.server.testing.TestIdentityProvider.ISSUER;
import static io.tokenservice.server.testing.TestIdentityProvider.claims;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.tokenservice.server.access.Caller;
import io.tokenservice.server.access.EndUser;
import io.tokenservice.server.auth.Authenticator.Failure;
import io.tokenservice.server.auth.Authenticator.Result;
import io.tokenservice.server.testing.TestIdentityProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Each rule of JWT verification, with tokens signed in the test by generated RSA and EC keys. */
class JwtVerifierTest {
    private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
    private static final TestIdentityProvider IDP = TestIdentityProvider.get();

    static JwtIssuer issuer(Set<JWSAlgorithm> algorithms, JwksKeys keys) {
        return new JwtIssuer(ISSUER, Set.of(AUDIENCE, "other-audience"), algorithms, Duration.ofSeconds(60),
                new JwksSource.File(Path.of("jwks.json"), keys));
    }

    private static final JwtVerifier VERIFIER = JwtVerifier.of(List.of(new JwtVerifier.Issuer("end-user",
            issuer(JwtIssuer.DEFAULT_ALGORITHMS, JwksKeys.parse(IDP.jwks())), () -> JwksKeys.parse(IDP.jwks()))));

    private static Result verify(String token) {
        return VERIFIER.verify(token, NOW);
    }

    private static Failure failure(String token) {
        Result r = verify(token);
        assertThat(r.authenticated()).as("refused").isFalse();
        return r.failure().orElseThrow();
    }

    private static EndUser endUser(String token) {
        Result r = verify(token);
        assertThat(r.failure()).isEmpty();
        Caller caller = r.caller().orElseThrow();
        assertThat(caller.name()).isEqualTo("end-user");
        assertThat(caller.method()).isEqualTo(Caller.AuthMethod.JWT);
        return caller.endUser().orElseThrow();
    }

    @Test
    void goodRsaAndEcTokensAuthenticateTheirSubject() {
        EndUser byRsa = endUser(IDP.rs256(claims("alice", NOW).claim("uid", 42L).build()));
        assertThat(byRsa.subject()).isEqualTo("alice");
        assertThat(byRsa.issuer()).isEqualTo(ISSUER);
        assertThat(byRsa.text("uid")).contains("42");
        assertThat(endUser(IDP.es256(claims("bob", NOW).build())).subject()).isEqualTo("bob");
    }

    @Test
    void anyOfTheConfiguredAudiencesWillDo() {
        assertThat(endUser(IDP.rs256(claims("alice", NOW).audience(List.of("x", "other-audience")).build())).subject())
                .isEqualTo("alice");
        assertThat(failure(IDP.rs256(claims("alice", NOW).audience("someone-else").build())))
                .isEqualTo(Failure.JWT_WRONG_AUDIENCE);
        assertThat(failure(IDP.rs256(claims("alice", NOW).audience(List.of()).build())))
                .isEqualTo(Failure.JWT_WRONG_AUDIENCE);
    }

    @Test
    void expiryAndNotBeforeWithTheClockSkew() {
        Instant hourAgo = NOW.minus(Duration.ofHours(1));
        JWTClaimsSet expiredJustNow = claims("alice", hourAgo).expirationTime(Date.from(NOW.minusSeconds(59))).build();
        assertThat(endUser(IDP.rs256(expiredJustNow)).subject()).as("within the 60 s skew").isEqualTo("alice");
        JWTClaimsSet expired = claims("alice", hourAgo).expirationTime(Date.from(NOW.minusSeconds(61))).build();
        assertThat(failure(IDP.rs256(expired))).isEqualTo(Failure.JWT_EXPIRED);

        JWTClaimsSet soon = claims("alice", NOW).notBeforeTime(Date.from(NOW.plusSeconds(59))).build();
        assertThat(endUser(IDP.rs256(soon)).subject()).isEqualTo("alice");
        JWTClaimsSet later = claims("alice", NOW).notBeforeTime(Date.from(NOW.plusSeconds(61))).build();
        assertThat(failure(IDP.rs256(later))).isEqualTo(Failure.JWT_NOT_YET_VALID);

        JWTClaimsSet noExpiry = new JWTClaimsSet.Builder(claims("alice", NOW).build()).expirationTime(null).build();
        assertThat(failure(IDP.rs256(noExpiry))).as("exp is required").isEqualTo(Failure.JWT_EXPIRED);
    }

    @Test
    void wrongOrMissingIssuerAndMissingSubject() {
        assertThat(failure(IDP.rs256(claims("alice", NOW).issuer("https://evil.example/").build())))
                .isEqualTo(Failure.JWT_UNKNOWN_ISSUER);
        assertThat(failure(IDP.rs256(claims("alice", NOW).issuer(null).build()))).isEqualTo(Failure.JWT_UNKNOWN_ISSUER);
        assertThat(failure(IDP.rs256(claims(null, NOW).build()))).isEqualTo(Failure.JWT_NO_SUBJECT);
        assertThat(failure(IDP.rs256(claims("", NOW).build()))).isEqualTo(Failure.JWT_NO_SUBJECT);
    }

    @Test
    void unsignedTokensAreRefused() {
        String none = new PlainJWT(claims("alice", NOW).build()).serialize();
        assertThat(JwtShape.matches(none)).as("alg none is still told apart from a key").isTrue();
        assertThat(failure(none)).isEqualTo(Failure.JWT_ALGORITHM_NOT_ALLOWED);
        // the same with a signature part glued on, and "alg":"NONE" spelled otherwise
        assertThat(failure(none + "c2ln")).isIn(Failure.JWT_ALGORITHM_NOT_ALLOWED, Failure.JWT_MALFORMED);
        String shouting = Base64URL.encode("{\"alg\":\"NONE\"}") + "." + claims("alice", NOW).build().toPayload()
                .toBase64URL() + ".";
        assertThat(verify(shouting).authenticated()).isFalse();
    }

    @Test
    void anHmacTokenSignedWithThePublicKeyIsRefused() throws JOSEException {
        for (byte[] secret : List.of(IDP.rsa.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8),
                IDP.rsa.toRSAPublicKey().getEncoded())) {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(IDP.rsa.getKeyID()).build(),
                    claims("alice", NOW).build());
            jwt.sign(new MACSigner(secret));
            assertThat(failure(jwt.serialize())).isEqualTo(Failure.JWT_ALGORITHM_NOT_ALLOWED);
        }
    }

    @Test
    void anAlgorithmOutsideTheAllowListIsRefusedEvenWithAGoodKey() {
        String rs384 = TestIdentityProvider.sign(JWSAlgorithm.RS384, IDP.rsa, IDP.rsa.getKeyID(), claims("alice", NOW)
                .build());
        assertThat(failure(rs384)).isEqualTo(Failure.JWT_ALGORITHM_NOT_ALLOWED);
        JwtVerifier rsaOnly = JwtVerifier.of(List.of(new JwtVerifier.Issuer("end-user",
                issuer(Set.of(JWSAlgorithm.RS256), JwksKeys.parse(IDP.jwks())), () -> JwksKeys.parse(IDP.jwks()))));
        assertThat(rsaOnly.verify(IDP.es256(claims("bob", NOW).build()), NOW).failure())
                .contains(Failure.JWT_ALGORITHM_NOT_ALLOWED);
    }

    @Test
    void aKeyNotInTheJwksIsRefusedWithOrWithoutKid() {
        TestIdentityProvider stranger = TestIdentityProvider.other();
        JWTClaimsSet c = claims("alice", NOW).build();
        assertThat(failure(stranger.rs256(c))).as("kid unknown").isEqualTo(Failure.JWT_UNKNOWN_KEY);
        assertThat(failure(stranger.es256(c))).as("kid unknown").isEqualTo(Failure.JWT_UNKNOWN_KEY);
        assertThat(failure(TestIdentityProvider.sign(JWSAlgorithm.RS256, stranger.rsa, null, c)))
                .as("no kid: every RSA key of the set is tried, none verifies").isEqualTo(Failure.JWT_BAD_SIGNATURE);
        assertThat(failure(TestIdentityProvider.sign(JWSAlgorithm.RS256, stranger.rsa, IDP.rsa.getKeyID(), c)))
                .as("a known kid on another key's signature").isEqualTo(Failure.JWT_BAD_SIGNATURE);
        assertThat(endUser(TestIdentityProvider.sign(JWSAlgorithm.ES256, IDP.ec, null, c)).subject())
                .as("no kid, signed by a key of the set").isEqualTo("alice");
    }

    @Test
    void aTamperedPayloadDoesNotVerify() {
        String token = IDP.rs256(claims("alice", NOW).build());
        String[] parts = token.split("\\.");
        String forged = parts[0] + "." + claims("mallory", NOW).build().toPayload().toBase64URL() + "." + parts[2];
        assertThat(failure(forged)).isEqualTo(Failure.JWT_BAD_SIGNATURE);
    }

    @Test
    void malformedTokensAndTokensNobodyAccepts() {
        assertThat(failure("abc.def.ghi")).isEqualTo(Failure.JWT_MALFORMED);
        assertThat(failure("a".repeat(JwtVerifier.MAX_TOKEN_LENGTH) + ".b.c")).isEqualTo(Failure.JWT_MALFORMED);
        assertThat(JwtVerifier.none().verify(IDP.rs256(claims("alice", NOW).build()), NOW).failure())
                .contains(Failure.JWT_NOT_ACCEPTED);
    }

    @Test
    void twoCallersCannotShareAnIssuer() {
        JwtIssuer rules = issuer(JwtIssuer.DEFAULT_ALGORITHMS, JwksKeys.empty());
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException().isThrownBy(() -> JwtVerifier.of(List.of(
                new JwtVerifier.Issuer("a", rules, JwksKeys::empty), new JwtVerifier.Issuer("b", rules, JwksKeys::empty))))
                .withMessageContaining("both accept issuer");
    }

    @Test
    void aRememberedTokenStillExpiresAndIsForgottenWhenTheKeysChange() {
        java.util.concurrent.atomic.AtomicReference<JwksKeys> keys =
                new java.util.concurrent.atomic.AtomicReference<>(JwksKeys.parse(IDP.jwks()));
        JwtVerifier verifier = JwtVerifier.of(List.of(new JwtVerifier.Issuer("end-user",
                issuer(JwtIssuer.DEFAULT_ALGORITHMS, keys.get()), keys::get)));
        String token = IDP.es256(claims("alice", NOW).expirationTime(Date.from(NOW.plusSeconds(600))).build());
        Result first = verifier.verify(token, NOW);
        assertThat(first.authenticated()).isTrue();
        assertThat(verifier.verify(token, NOW.plusSeconds(10))).as("remembered").isSameAs(first);
        assertThat(verifier.verify(token, NOW.plusSeconds(659)).authenticated()).as("within the skew").isTrue();
        assertThat(verifier.verify(token, NOW.plusSeconds(661)).failure()).contains(Failure.JWT_EXPIRED);

        keys.set(JwksKeys.parse(TestIdentityProvider.other().jwks()));
        assertThat(verifier.verify(token, NOW.plusSeconds(10)).failure()).as("keys rotated away")
                .contains(Failure.JWT_UNKNOWN_KEY);
    }

    @Test
    void theCacheIsBoundedAndHoldsOnlyVerifiedTokens() {
        JwtVerifier small = JwtVerifier.of(List.of(new JwtVerifier.Issuer("end-user",
                issuer(JwtIssuer.DEFAULT_ALGORITHMS, JwksKeys.parse(IDP.jwks())), () -> VERIFIER_KEYS)), 4);
        for (int i = 0; i < 20; i++) {
            assertThat(small.verify(IDP.rs256(claims("user-" + i, NOW).build()), NOW).authenticated()).isTrue();
            assertThat(small.verify(IDP.rs256(claims("user-" + i, NOW).audience("x").build()), NOW).authenticated())
                    .isFalse();
        }
        assertThat(small.cached()).isLessThanOrEqualTo(4);
    }

    private static final JwksKeys VERIFIER_KEYS = JwksKeys.parse(IDP.jwks());
}
