package io.tokenservice.core.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The hand-written HMAC against the JDK's {@code Mac}, over keys shorter than, equal to and longer than a block. */
class HmacTest {

    static byte[] jdk(byte[] key, byte[] message) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(message);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4, 31, 32, 33, 63, 64, 65, 100, 200})
    void equalsTheJdksMacForKeysOfEveryLength(int keyLength) throws Exception {
        Random random = new Random(keyLength);
        for (int round = 0; round < 50; round++) {
            byte[] key = new byte[keyLength];
            byte[] message = new byte[random.nextInt(300)];
            random.nextBytes(key);
            random.nextBytes(message);

            assertThat(Hmac.sha256(key, message)).isEqualTo(jdk(key, message));
        }
    }

    @Test
    void rfc4231TestCase2() {
        byte[] mac = Hmac.sha256("Jefe".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                "what do ya want for nothing?".getBytes(java.nio.charset.StandardCharsets.US_ASCII));

        assertThat(java.util.HexFormat.of().formatHex(mac))
                .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    @Test
    void partsAndRangesAreTheWholeMessage() throws Exception {
        Random random = new Random(7);
        byte[] key = new byte[32];
        byte[] message = new byte[120];
        random.nextBytes(key);
        random.nextBytes(message);
        byte[] expected = jdk(key, message);

        assertThat(Hmac.sha256(key, Arrays.copyOfRange(message, 0, 50), Arrays.copyOfRange(message, 50, 120)))
                .isEqualTo(expected);
        byte[] framed = new byte[200];
        System.arraycopy(message, 0, framed, 40, 120);
        byte[] keyFramed = new byte[40];
        System.arraycopy(key, 0, keyFramed, 5, 32);
        Hmac.sha256Into(keyFramed, 5, 32, framed, 40, 120, framed, 2);
        assertThat(Arrays.copyOfRange(framed, 2, 34)).isEqualTo(expected);
    }
}
