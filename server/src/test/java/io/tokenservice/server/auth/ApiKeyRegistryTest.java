package io.tokenservice.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tokenservice.server.access.Caller;
import io.tokenservice.server.testing.TestSecrets;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ApiKeyRegistryTest {
    private static final String KEY_A = TestSecrets.register("alpha-key-0123456789");
    private static final String KEY_B = TestSecrets.register("bravo-key-0123456789");
    private static final String KEY_B2 = TestSecrets.register("bravo-key-second-one");

    @Test
    void knownSha256() {
        // sha256("test") from FIPS examples / sha256sum
        assertThat(ApiKeyRegistry.configHash("test"))
                .isEqualTo("sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
    }

    @Test
    void environmentFormNamesCallers() {
        ApiKeyRegistry r = ApiKeyRegistry.parseEnvironmentValue(" web=" + KEY_A + " , mobile=" + KEY_B + ",mobile="
                + KEY_B2 + ",");
        assertThat(r.callerNames()).containsExactly("web", "mobile");
        assertThat(r.size()).isEqualTo(3);
        assertThat(r.authenticate(KEY_A)).contains(new Caller("web", Caller.AuthMethod.API_KEY));
        assertThat(r.authenticate(KEY_B)).contains(new Caller("mobile", Caller.AuthMethod.API_KEY));
        assertThat(r.authenticate(KEY_B2)).contains(new Caller("mobile", Caller.AuthMethod.API_KEY));
    }

    @Test
    void keysWithEqualsSignsAreKept() {
        String key = "base64padded-key-AAAA==";
        assertThat(ApiKeyRegistry.parseEnvironmentValue("web=" + key).authenticate(key)).isPresent();
    }

    @Test
    void unknownPrefixSuffixCaseAndEmptyKeysAreRefused() {
        ApiKeyRegistry r = ApiKeyRegistry.parseEnvironmentValue("web=" + KEY_A);
        assertThat(r.authenticate("")).isEmpty();
        assertThat(r.authenticate(KEY_A.substring(1))).isEmpty();
        assertThat(r.authenticate(KEY_A + "0")).isEmpty();
        assertThat(r.authenticate(KEY_A.toUpperCase())).isEmpty();
        assertThat(r.authenticate(KEY_B)).isEmpty();
        assertThat(ApiKeyRegistry.empty().authenticate(KEY_A)).isEmpty();
    }

    @Test
    void aMissReturnsTheSameEmptyResultWhicheverPartIsWrong() {
        ApiKeyRegistry r = ApiKeyRegistry.parseEnvironmentValue("web=" + KEY_A + ",mobile=" + KEY_B);
        // the result carries nothing that distinguishes a near miss from a far one, or one caller from another
        assertThat(r.authenticate(KEY_A.substring(0, KEY_A.length() - 1) + "x"))
                .isSameAs(r.authenticate("completely-different-key"))
                .isSameAs(r.authenticate(KEY_B + "x"))
                .isSameAs(Optional.empty());
    }

    @Test
    void onlyHashesAreHeld() throws Exception {
        ApiKeyRegistry r = ApiKeyRegistry.parseEnvironmentValue("web=" + KEY_A);
        byte[] plain = KEY_A.getBytes(StandardCharsets.UTF_8);
        for (Field f : ApiKeyRegistry.class.getDeclaredFields()) {
            if (java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            f.setAccessible(true);
            Object v = f.get(r);
            assertThat(String.valueOf(v)).doesNotContain(KEY_A);
            if (v instanceof byte[][] arrays) {
                for (byte[] a : arrays) {
                    assertThat(a).hasSize(32);
                    assertThat(Arrays.equals(a, plain)).isFalse();
                }
            }
        }
        assertThat(r.toString()).doesNotContain(KEY_A).contains("web");
    }

    @Test
    void configHashFormIsEquivalentToThePlaintextForm() {
        ApiKeyRegistry r = ApiKeyRegistry.builder()
                .addConfigHash("web", ApiKeyRegistry.configHash(KEY_A).toUpperCase().replace("SHA256:", "sha256:"))
                .build();
        assertThat(r.authenticate(KEY_A)).map(Caller::name).contains("web");
    }

    @Test
    void errorsNeverRepeatAKey() {
        assertThatThrownBy(() -> ApiKeyRegistry.parseEnvironmentValue("web=short"))
                .hasMessageContaining("web").hasMessageContaining("shorter than 16").hasMessageNotContaining("short,");
        assertThatThrownBy(() -> ApiKeyRegistry.parseEnvironmentValue("web=" + KEY_A + " " + KEY_B))
                .hasMessageNotContaining(KEY_A);
        assertThatThrownBy(() -> ApiKeyRegistry.parseEnvironmentValue(KEY_A))
                .hasMessageContaining("entry 1").hasMessageNotContaining(KEY_A);
        assertThatThrownBy(() -> ApiKeyRegistry.parseEnvironmentValue("web=" + KEY_A + ",mobile=" + KEY_A))
                .hasMessageContaining("'web' and 'mobile' share an API key").hasMessageNotContaining(KEY_A);
        assertThatThrownBy(() -> ApiKeyRegistry.builder().addConfigHash("web", KEY_A))
                .hasMessageContaining("sha256:").hasMessageNotContaining(KEY_A);
        assertThatThrownBy(() -> ApiKeyRegistry.parseEnvironmentValue("we b=" + KEY_A))
                .hasMessageContaining("invalid caller name").hasMessageNotContaining(KEY_A);
    }

    @Test
    void plusCombinesAndStillRejectsSharedKeys() {
        ApiKeyRegistry a = ApiKeyRegistry.parseEnvironmentValue("web=" + KEY_A);
        ApiKeyRegistry b = ApiKeyRegistry.parseEnvironmentValue("mobile=" + KEY_B);
        ApiKeyRegistry both = a.plus(b);
        assertThat(both.authenticate(KEY_A)).map(Caller::name).contains("web");
        assertThat(both.authenticate(KEY_B)).map(Caller::name).contains("mobile");
        assertThatThrownBy(() -> both.plus(a)).hasMessageContaining("same API key twice");
    }

    @Test
    void generatedKeysAreLongRandomAndAccepted() {
        SecureRandom random = new SecureRandom();
        String k1 = ApiKeyRegistry.generateKey(random);
        String k2 = ApiKeyRegistry.generateKey(random);
        assertThat(k1).startsWith("tsk_").hasSize(47).isNotEqualTo(k2);
        assertThat(ApiKeyRegistry.builder().addKey("dev", k1).build().authenticate(k1)).isPresent();
    }
}
