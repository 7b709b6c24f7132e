package io.tokenservice.core.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.util.List;
import org.junit.jupiter.api.Test;

class LegacyVerifyArgumentsTest {
    private static final String APP_ID = "970CA35de60c44645bbae8a215061b33";
    private static final String CERTIFICATE = "5CFd2fd1755d40ecb72977518be15d3b";

    private final ParsedAccessToken token = AccessTokenCodec.decode(AccessTokenCodec.encode(APP_ID, CERTIFICATE,
            "room", "42", 7, 1_700_086_400L, List.of(new Privilege(AccessToken.JOIN_CHANNEL, 1_700_003_600L))));

    @Test
    void anEmptyOrMissingCertificateVerifiesNothingInsteadOfThrowing() {
        assertThat(token.verify(CERTIFICATE, "room", "42")).isTrue();
        assertThat(token.verify("", "room", "42")).isFalse();
        assertThat(token.verify(null, "room", "42")).isFalse();
    }

    @Test
    void aMissingChannelOrUidIsAProgrammingErrorNamedInTheException() {
        assertThatNullPointerException().isThrownBy(() -> token.verify(CERTIFICATE, null, "42")).withMessage("channel");
        assertThatNullPointerException().isThrownBy(() -> token.verify(CERTIFICATE, "room", null)).withMessage("uid");
    }
}
