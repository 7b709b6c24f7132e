package io.tokenservice.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import com.google.protobuf.Timestamp;
import io.tokenservice.core.token.AccessToken;
import io.tokenservice.core.token.AccessTokenCodec;
import io.tokenservice.core.token.Privilege;
import io.tokenservice.proto.v1.ServiceType;
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

    private static final String APP = "970CA35de60c44645bbae8a215061b33";
    private static final String CERT = "5CFd2fd1755d40ecb72977518be15d3b";

    @Test
    void readsA006RtmTokenWithoutItsUserId() {
        long ts = LOCAL.getEpochSecond() + 86_400;
        Token t = Token.fromString(AccessTokenCodec.encode(APP, CERT, "alice", "", 7, ts,
                List.of(new Privilege(AccessToken.RTM_LOGIN, LOCAL.getEpochSecond() + 3600))));
        assertThat(t.isLegacy()).isTrue();
        assertThat(t.clockOffsetKnown()).isFalse();
        assertThat(t.appId()).isEqualTo(APP);
        assertThat(t.issuedAt()).as("ts minus the 24 h every 006 builder writes").isEqualTo(LOCAL);
        assertThat(t.expiresAt()).isEqualTo(LOCAL.plusSeconds(3600));
        assertThat(t.services()).containsExactly(ServiceGrant.newBuilder().setService(ServiceType.SERVICE_TYPE_RTM)
                .addPrivileges(PrivilegeGrant.newBuilder()
                        .setPrivilege(io.tokenservice.proto.v1.Privilege.PRIVILEGE_RTM_LOGIN).setAgoraKey(1000)
                        .setExpiresAt(ts(LOCAL.plusSeconds(3600))))
                .build());
    }

    @Test
    void a006TokenWhosePrivilegesNeverEndExpiresAtItsTs() {
        long ts = LOCAL.getEpochSecond() + 86_400;
        Token t = Token.fromString(AccessTokenCodec.encode(APP, CERT, "room", "7", 7, ts,
                List.of(new Privilege(AccessToken.JOIN_CHANNEL, 0), new Privilege(AccessToken.PUBLISH_AUDIO_STREAM,
                        LOCAL.getEpochSecond() + 60))));
        assertThat(t.expiresAt()).isEqualTo(LOCAL.plusSeconds(86_400));
        assertThat(t.earliestExpiry()).isEqualTo(LOCAL.plusSeconds(60));
        assertThat(t.services()).singleElement().satisfies(rtc -> {
            assertThat(rtc.getService()).isEqualTo(ServiceType.SERVICE_TYPE_RTC);
            assertThat(rtc.getChannel()).isEmpty();
            assertThat(rtc.getPrivileges(0).hasExpiresAt()).as("0 = never").isFalse();
        });
    }
}
