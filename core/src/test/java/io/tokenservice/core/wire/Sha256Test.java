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
    void prefixLengthsOutsideTheDigestAreRefused() {
        assertThatThrownBy(() -> Sha256.hexPrefix("x", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Sha256.hexPrefix("x", 13)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Sha256.hexPrefix("x", 66)).isInstanceOf(IllegalArgumentException.class);
    }
}
