package io.tokenservice.core.issue;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RtcIdentityTest {
    @ParameterizedTest
    @ValueSource(strings = {"1", "42", "4294967295", "1000000000"})
    void canonicalUidsAreUids(String encoded) {
        assertThat(RtcIdentity.isUid(encoded)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "0", "007", "4294967296", "99999999999", "-1", "+1", "12a", " 1", "bob"})
    void everythingElseIsAnAccount(String encoded) {
        assertThat(RtcIdentity.isUid(encoded)).isFalse();
    }

    @Test
    void theRuleIsWhatAUidIdentityWrites() {
        SplittableRandom random = new SplittableRandom(10);
        for (int i = 0; i < 10_000; i++) {
            long uid = 1 + random.nextLong(0xFFFF_FFFFL);
            assertThat(RtcIdentity.isUid(RtcIdentity.uid(uid).encoded())).isTrue();
            assertThat(RtcIdentity.isUid("0" + uid)).isFalse();
        }
        assertThat(RtcIdentity.isUid(RtcIdentity.uid(0).encoded())).as("the wildcard").isFalse();
    }
}
