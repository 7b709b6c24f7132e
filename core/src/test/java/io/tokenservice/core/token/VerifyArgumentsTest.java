package io.tokenservice.core.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tokenservice.core.testing.TokenVectors;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the public verify and parse entries do with missing or odd arguments: a missing certificate
 * verifies nothing (false, as Agora's parsers answer), a missing token string is a malformed token.
 */
class VerifyArgumentsTest {
    /** Agora's own RTC token from its Java, Python and Node test suites. */
    private static final TokenVectors.Case AGORA = TokenVectors.named("published_node_rtc_uid");

    private final ParsedAccessToken2 token = AccessToken2Codec.decode(AGORA.field("expectedToken"));

    @Test
    void aMissingOrEmptyCertificateVerifiesNothingInsteadOfThrowing() {
        assertThat(token.verify(AGORA.certificate())).isTrue();
        assertThat(token.verify(null)).isFalse();
        assertThat(token.verify("")).isFalse();
    }

    @Test
    void aCertificateThatIsNotOneVerifiesNothing() {
        assertThat(token.verify("invalid")).isFalse();
        assertThat(token.verify("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz")).isFalse();
        assertThat(token.verify(AGORA.certificate() + " ")).isFalse();
        assertThat(token.verify("\u00e9" + AGORA.certificate().substring(1))).isFalse();
    }

    @Test
    void missingCertificatesInARotationAreSkipped() {
        assertThat(token.verifyingCertificate(null)).isEmpty();
        assertThat(token.verifyingCertificate(List.of())).isEmpty();
        assertThat(token.verifyingCertificate(Arrays.asList(null, AGORA.certificate()))).contains(AGORA.certificate());
        assertThat(token.verifyingCertificate(Arrays.asList((String) null))).isEmpty();
    }

    @Test
    void aMissingTokenStringIsMalformedForEveryParser() {
        assertThatThrownBy(() -> AccessToken2Codec.decode(null)).isInstanceOf(MalformedTokenException.class);
        assertThatThrownBy(() -> AccessTokenCodec.decode(null)).isInstanceOf(MalformedTokenException.class);
        assertThatThrownBy(() -> Tokens.decode(null)).isInstanceOf(MalformedTokenException.class);
    }
}
