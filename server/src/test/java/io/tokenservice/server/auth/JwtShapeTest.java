package io.tokenservice.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetSequenceKeyGenerator;
import io.tokenservice.server.testing.TestIdentityProvider;
import java.security.SecureRandom;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** How a bearer credential is told to be a JWT or an API key, and the JWK sets that are refused. */
class JwtShapeTest {
    @ParameterizedTest
    @ValueSource(strings = {"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln", "a.b.c", "a-_.b.", "A.B.C"})
    void threeBase64UrlPartsAreAJwt(String credential) {
        assertThat(JwtShape.matches(credential)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"tsk_abcdefghijklmnopqrstuvwxyz", "a.b", "a.b.c.d", ".b.c", "a..c", "a.b.c=", "a b.c.d",
            "a+b.c.d", "a/b.c.d", "..", "", "abc"})
    void anythingElseIsAnApiKey(String credential) {
        assertThat(JwtShape.matches(credential)).isFalse();
    }

    @Test
    void anApiKeyOfTheJwtFormIsRefusedAndGeneratedKeysNeverHaveIt() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> ApiKeyRegistry.builder().addKey("web", "first.second.third_part"))
                .withMessageContaining("form of a JWT").withMessageNotContaining("first.second");
        ApiKeyRegistry.builder().addKey("web", "first.second.third.fourth");
        Random seeded = new Random(11);
        SecureRandom random = new SecureRandom() {
            @Override
            public void nextBytes(byte[] bytes) {
                seeded.nextBytes(bytes);
            }
        };
        for (int i = 0; i < 1000; i++) {
            assertThat(JwtShape.matches(ApiKeyRegistry.generateKey(random))).isFalse();
        }
    }

    @Test
    void jwkSetsWithPrivateSymmetricOrWeakKeysAreRefused() throws Exception {
        TestIdentityProvider idp = TestIdentityProvider.get();
        assertThat(JwksKeys.parse(idp.jwks()).size()).isEqualTo(2);
        assertThatIllegalArgumentException().isThrownBy(() -> JwksKeys.parse(
                new com.nimbusds.jose.jwk.JWKSet(idp.rsa).toString(false)))
                .withMessageContaining("private key material");
        String oct = "{\"keys\":[" + new OctetSequenceKeyGenerator(256).keyID("h").generate().toJSONString() + "]}";
        assertThatIllegalArgumentException().isThrownBy(() -> JwksKeys.parse(oct))
                .withMessageContaining("private key material");
        String weak = "{\"keys\":[" + new com.nimbusds.jose.jwk.gen.RSAKeyGenerator(1024, true).generate()
                .toPublicJWK().toJSONString() + "]}";
        assertThatIllegalArgumentException().isThrownBy(() -> JwksKeys.parse(weak)).withMessageContaining("1024 bits");
        assertThatIllegalArgumentException().isThrownBy(() -> JwksKeys.parse("{\"keys\": 3}"))
                .withMessageContaining("not a JWK set");
        String encryption = "{\"keys\":[" + new ECKeyGenerator(Curve.P_256).keyUse(com.nimbusds.jose.jwk.KeyUse.ENCRYPTION)
                .generate().toPublicJWK().toJSONString() + "]}";
        assertThat(JwksKeys.parse(encryption).size()).as("encryption keys are left out").isZero();
    }
}
