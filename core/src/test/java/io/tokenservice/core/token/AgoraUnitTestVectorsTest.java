package io.tokenservice.core.token;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenservice.core.issue.ApaasTokenRequest;
import io.tokenservice.core.issue.IssuedToken;
import io.tokenservice.core.issue.RtcIdentity;
import io.tokenservice.core.issue.SaltSource;
import io.tokenservice.core.issue.TokenIssuer;
import io.tokenservice.core.issue.TokenLimits;
import io.tokenservice.core.testing.TokenVectors;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Token strings from the unit tests of Agora's own builders (AgoraIO/Tools, {@code DynamicKey/AgoraDynamicKey}:
 * {@code python3/test/AccessToken2Test.py}, {@code java/src/test/java/io/agora/media/AccessToken2Test.java})
 * that {@code token-vectors.json} does not hold: APaaS room-user and app tokens, Streaming and FCDN
 * services, and a C++-made token with RTM2 permissions. Agora's suites pin the issue time to 1111111
 * and the salt to 1; their strings come from vanilla zlib, which chose the fixed Huffman code for all
 * of them, so ours must be the same strings.
 */
class AgoraUnitTestVectorsTest {
    private static final String APP_ID = "970CA35de60c44645bbae8a215061b33";
    private static final String CERTIFICATE = "5CFd2fd1755d40ecb72977518be15d3b";
    private static final AppCredentials APP = new AppCredentials(APP_ID, CERTIFICATE);
    private static final String CHANNEL = "7d72365eb983485397e3e3f9d460bdda";
    private static final long UID = 2882341273L;
    private static final long ISSUE_TS = 1_111_111;
    private static final long SALT = 1;
    private static final int EXPIRE = 600;

    private final TokenIssuer issuer = new TokenIssuer(Clock.fixed(Instant.ofEpochSecond(ISSUE_TS), ZoneOffset.UTC),
            SaltSource.fixed(SALT), TokenLimits.agoraDefault());

    /** Python {@code test_service_apaas_room_user}: room "123", user "2882341273", role 1. */
    @Test
    void apaasRoomUserTokenIsAgorasString() {
        IssuedToken token = issuer.issueApaas(APP, ApaasTokenRequest.roomUser("123", "2882341273", (short) 1, EXPIRE));

        assertIsAgoras(token.token(), "007eJxTYOi6fYVB7qlA2ZWQ+Ko3N2IafQOddj+K4tjh3PS7P2vx4a0KDJbmBs6OxqYpqWYGySYmZiamSUmJqRaJ"
                + "RoamBmaGScbG7l8EGCKYGBgYGRgYmBmYgDQjmM/FYGRhYWRsYmhkbswKF1VgMDMwMza2MDYxskg0NktLSjROSzIzMDZISk1OszCwNEl"
                + "lh6tlZjA0MkY2hpEBANqIKYQ=");
        // The Chat login is for the MD5 of the user id, in lower-case hex (value from Python's hashlib).
        assertThat(token.content().service(Service.Chat.class).orElseThrow().userId())
                .isEqualTo("6063383428a36fba3fb6030becf8094e");
    }

    /** Python {@code test_service_apaas_user}. */
    @Test
    void apaasUserTokenIsAgorasString() {
        assertIsAgoras(issuer.issueApaas(APP, ApaasTokenRequest.user("2882341273", EXPIRE)).token(),
                "007eJxTYEg4e9Zj9gch+QkfFi1qM7tdkn1G3Kzt6FTJpTpzRQ4brixTYLA0N3B2NDZNSTUzSDYxMTMxTUpKTLVINDI0NTAzTDI2dv8iwBDB"
                        + "xMDAyADC7EDMBOYzMHAxGFlYGBmbGBqZG///DwDuNR56");
    }

    /** Python {@code test_service_apaas_app}. */
    @Test
    void apaasAppTokenIsAgorasString() {
        assertIsAgoras(issuer.issueApaas(APP, ApaasTokenRequest.app(EXPIRE)).token(),
                "007eJxTYJgT3rumdJdoWJpC3aNTb4o76swyLsrHvmznOn/x1cQM9gcKDJbmBs6OxqYpqWYGySYmZiamSUmJqRaJRoamBmaGScbG7l8EGCKY"
                        + "GBgYGUCYHYiZwXwQ+P8fAADUHTQ=");
    }

    /**
     * Java {@code extendedServiceNumericUidConversion} and Python {@code test_extended_service_numeric_uid_conversion}:
     * three Streaming and three FCDN services (numeric uid, wildcard uid 0, account), several of one
     * type in the order added. Agora has no builder for these services; the raw codec signs them.
     */
    @Test
    void streamingAndFcdnServicesAreAgorasString() {
        List<Privilege> mix = List.of(new Privilege(Service.STREAMING_PUBLISH_MIX_STREAM, EXPIRE));
        List<Privilege> raw = List.of(new Privilege(Service.STREAMING_PUBLISH_RAW_STREAM, EXPIRE));
        List<Privilege> publish = List.of(new Privilege(Service.FCDN_PUBLISH, EXPIRE));
        List<Privilege> play = List.of(new Privilege(Service.FCDN_PLAY, EXPIRE));
        List<Service> services = List.of(
                new Service.Streaming(mix, CHANNEL, RtcIdentity.uid(UID).encoded()),
                new Service.Streaming(raw, CHANNEL, RtcIdentity.uid(0).encoded()),
                new Service.Streaming(List.of(mix.get(0), raw.get(0)), CHANNEL, "stream-account"),
                new Service.Fcdn(publish, CHANNEL, RtcIdentity.uid(UID).encoded()),
                new Service.Fcdn(play, CHANNEL, RtcIdentity.uid(0).encoded()),
                new Service.Fcdn(List.of(publish.get(0), play.get(0)), CHANNEL, "fcdn-account"));

        String token = AccessToken2Codec.encode(new AccessToken2(APP_ID, ISSUE_TS, EXPIRE, SALT, services), CERTIFICATE);

        assertIsAgoras(token, "007eJxTYLi93GuuUHrO9Fr71KVJKqfDby8RezlVfGLMO77DIl79U40UGCzNDZwdjU1TUs0Mkk1MzExMk5ISUy0SjQ"
                + "xNDcwMk4yN3b8IMEQwMTAwMjAwsDEwA2lGMF+BwTzF3MjYzDQ1ydLC2MTC1NjSPNU41TjNMsXEzCApJSWRi8HIwsLI2MTQyNwYpI+JSH0"
                + "MQFuYoLYQq4ePobikKDUxVzcxOTm/NK+EjUx3spHkTjaS3cnDkJackgdzJQBJb19X");
        assertThat(AccessToken2Codec.decode(token).content().services()).isEqualTo(services);
    }

    /**
     * Java {@code parseExtendedServicesFromCpp}: a token from Agora's C++ builder with Streaming, FCDN
     * and RTM2 services parses to its fields and verifies.
     */
    @Test
    void cppTokenWithStreamingFcdnAndRtm2PermissionsParsesAndVerifies() {
        String cpp = "007eJxTYPj86Lzdz79M25wNn/lMfvu+TkfmdpiviKvChm8ZV3SWndytwG"
                + "BpbuDsaGyakmpmkGxiYmZimpSUmGqRaGRoamBmmGRs7P5FgCGCiYGBkYGBgRkImYAsEJ8JTCowmKeYGxmbmaYmWVoYm1iYGluapxqnGqd"
                + "ZppiYGSSlpCRyMRhZWBgZmxgamRuzUaSbA6gXopuToSS1uCS+tDi1iJkB4jQmoGBuanFxYnqqbiKCmcTIAIEcDMUlRamJubqJLGD1jAxs"
                + "DCD9uokAO/VDvQ==";
        ParsedAccessToken2 parsed = AccessToken2Codec.decode(cpp);

        assertThat(parsed.verify(CERTIFICATE)).isTrue();
        assertThat(parsed.unknownServiceType()).isEmpty();
        List<Privilege> both = List.of(new Privilege(1, EXPIRE), new Privilege(2, EXPIRE));
        assertThat(parsed.content().service(Service.Streaming.class))
                .contains(new Service.Streaming(both, CHANNEL, "2882341273"));
        assertThat(parsed.content().service(Service.Fcdn.class)).contains(new Service.Fcdn(both, CHANNEL, "2882341273"));
        Service.Rtm2 rtm2 = parsed.content().service(Service.Rtm2.class).orElseThrow();
        assertThat(rtm2.userId()).isEqualTo("test_user");
        assertThat(rtm2.permissions()).containsExactly(
                new Service.Rtm2Permission(Service.RTM2_MESSAGE_CHANNELS, Service.RTM2_READ, List.of("message-a", "message-b")),
                new Service.Rtm2Permission(Service.RTM2_STREAM_CHANNELS, Service.RTM2_WRITE, List.of("stream-a")),
                new Service.Rtm2Permission(Service.RTM2_USERS, Service.RTM2_READ, List.of("user-a")));
        // Re-signing the parsed content reproduces the C++ content byte for byte.
        assertThat(TokenVectors.inflate007(AccessToken2Codec.encode(parsed.content(), CERTIFICATE)))
                .isEqualTo(TokenVectors.inflate007(cpp));
    }

    private static void assertIsAgoras(String ours, String agoras) {
        assertThat(TokenVectors.hex(TokenVectors.inflate007(ours))).isEqualTo(TokenVectors.hex(TokenVectors.inflate007(agoras)));
        assertThat(ours).isEqualTo(agoras);
        assertThat(AccessToken2Codec.decode(agoras).verify(CERTIFICATE)).isTrue();
    }
}
