package io.tokenservice.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import com.google.protobuf.Timestamp;
import io.tokenservice.proto.v1.IssuedToken;
import io.tokenservice.proto.v1.PrivilegeGrant;
import io.tokenservice.proto.v1.ServiceGrant;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenTest {
    private static final Instant LOCAL = Instant.parse("2030-01-01T00:00:00Z");

    private static Timestamp ts(Instant i) {
        return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).build();
    }

    @Test
    void convertsServerTimesToTheLocalClock() {
        Instant serverIssued = LOCAL.minusSeconds(95); // server clock 95 s behind
        IssuedToken proto = IssuedToken.newBuilder().setToken("007secret").setAppId("a")
                .setIssuedAt(ts(serverIssued)).setExpiresAt(ts(serverIssued.plusSeconds(600)))
                .setTtlSeconds(600).setTokenSha256Prefix("abcdefabcdef")
                .addServices(ServiceGrant.newBuilder().addPrivileges(PrivilegeGrant.newBuilder().setAgoraKey(2)
                        .setExpiresAt(ts(serverIssued.plusSeconds(120))))
                        .addPrivileges(PrivilegeGrant.newBuilder().setAgoraKey(1)))
                .build();
        Token t = Token.fromProto(proto, LOCAL);
        assertThat(t.clockOffset()).isEqualTo(Duration.ofSeconds(-95));
        assertThat(t.lifetime()).isEqualTo(Duration.ofSeconds(600));
        assertThat(t.localExpiresAt()).isEqualTo(LOCAL.plusSeconds(600));
        assertThat(t.earliestExpiry()).isEqualTo(serverIssued.plusSeconds(120));
        assertThat(t.localEarliestExpiry()).isEqualTo(LOCAL.plusSeconds(120));
        assertThat(t.toString()).doesNotContain("007secret").contains("abcdefabcdef");
    }

    @Test
    void rejectsExpiryBeforeIssue() {
        assertThatIllegalArgumentException().isThrownBy(() -> new Token("007", "a", LOCAL, LOCAL.minusSeconds(1),
                List.of(), "p", LOCAL));
    }
}
