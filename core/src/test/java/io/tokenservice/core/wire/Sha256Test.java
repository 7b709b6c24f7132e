package io.tokenservice.core.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class Sha256Test {
    @Test
    void knownDigestsInFullAndAsPrefix() {
        assertThat(Sha256.hex("")).isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assertThat(Sha256.hex("test")).isEqualTo("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
        assertThat(Sha256.hexPrefix("test", 12)).isEqualTo("9f86d081884c");
        assertThat(HexFormat.of().formatHex(Sha256.of("\u00e9"))).as("of the UTF-8 bytes c3 a9")
                .isEqualTo(Sha256.hex("\u00e9"))
                .isEqualTo("4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c");
    }

    @Test
    void textOfAnyLengthAndMixedCharactersIsHashedAsItsUtf8Bytes() throws Exception {
        java.security.MessageDigest jdk = java.security.MessageDigest.getInstance("SHA-256");
        java.util.Random random = new java.util.Random(16);
        for (int length : new int[] {1, 100, 511, 512, 513, 5000, 20_000}) {
            StringBuilder ascii = new StringBuilder();
            for (int i = 0; i < length; i++) {
                ascii.append((char) (32 + random.nextInt(95)));
            }
            for (String text : new String[] {ascii.toString(), ascii + "\u00e9", "\u4e2d" + ascii}) {
                String expected = HexFormat.of().formatHex(jdk.digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                assertThat(Sha256.hex(text)).isEqualTo(expected);
                assertThat(HexFormat.of().formatHex(Sha256.of(text))).isEqualTo(expected);
            }
        }
        byte[] first = Sha256.of("a");
        Sha256.of("b");
        assertThat(HexFormat.of().formatHex(first)).as("a returned digest is the caller's own")
                .isEqualTo(Sha256.hex("a"));
    }

    @Test
    void prefixLengthsOutsideTheDigestAreRefused() {
        assertThatThrownBy(() -> Sha256.hexPrefix("x", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Sha256.hexPrefix("x", 13)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Sha256.hexPrefix("x", 66)).isInstanceOf(IllegalArgumentException.class);
    }
}
