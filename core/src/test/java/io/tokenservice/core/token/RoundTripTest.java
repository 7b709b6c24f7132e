package io.tokenservice.core.token;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenservice.core.issue.ApaasTokenRequest;
import io.tokenservice.core.issue.ChatTokenRequest;
import io.tokenservice.core.issue.FpaTokenRequest;
import io.tokenservice.core.issue.IssuedToken;
import io.tokenservice.core.issue.LegacyRole;
import io.tokenservice.core.issue.RtcIdentity;
import io.tokenservice.core.issue.RtcPrivilegeTtls;
import io.tokenservice.core.issue.RtcRole;
import io.tokenservice.core.issue.RtcTokenRequest;
import io.tokenservice.core.issue.Rtm2TokenRequest;
import io.tokenservice.core.issue.RtmTokenRequest;
import io.tokenservice.core.issue.SaltSource;
import io.tokenservice.core.issue.TokenIssuer;
import io.tokenservice.core.issue.TokenLimits;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/**
 * Property-style round trips over seeded random valid inputs: whatever is built, parsing gives back
 * exactly the inputs, and the token verifies with its certificate and no other.
 */
class RoundTripTest {
    private static final int CASES = 4000;
    private static final String HEX = "0123456789abcdefABCDEF";
    private static final String AGORA_CHARSET =
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 !#$%&()+-:;<=.>?@[]^_{}|~,";
    private static final String CHAT_CHARSET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.";
    /** Any text for the raw codec: ASCII controls, Latin-1, CJK, and a surrogate pair. */
    private static final String[] ANY_TEXT_PIECES = {"a", "Z", "0", " ", "\u0000", "\n", "é", "ü", "频", "道", "\uD83D\uDE00", "-"};

    private final SplittableRandom random = new SplittableRandom(20_240_601);

    @Test
    void issuedRtcTokensParseBackToTheirInputs() {
        for (int i = 0; i < CASES; i++) {
            AppCredentials app = app();
            long now = u32();
            long salt = u32();
            TokenIssuer issuer = issuer(now, salt);
            String channel = text(AGORA_CHARSET, 1, 64);
            boolean byUid = random.nextBoolean();
            long uid = random.nextInt(10) == 0 ? 0 : random.nextLong(0x1_0000_0000L);
            String account = random.nextInt(10) == 0 ? "" : text(AGORA_CHARSET, 1, 255);
            RtcIdentity identity = byUid ? RtcIdentity.uid(uid) : RtcIdentity.account(account);
            RtcRole role = random.nextBoolean() ? RtcRole.PUBLISHER : RtcRole.SUBSCRIBER;
            long ttl = 1 + random.nextInt(86_400);
            RtcPrivilegeTtls ttls = new RtcPrivilegeTtls(1 + random.nextLong(ttl), 1 + random.nextLong(ttl),
                    1 + random.nextLong(ttl), 1 + random.nextLong(ttl));
            RtcTokenRequest request = RtcTokenRequest.of(channel, identity, role, ttl).withPrivilegeTtls(ttls);
            String rtmUser = null;
            long rtmTtl = 0;
            if (random.nextBoolean()) {
                rtmUser = rtmUserId();
                rtmTtl = 1 + random.nextInt(86_400);
                request = request.withRtm(new RtmTokenRequest(rtmUser, rtmTtl));
            }

            IssuedToken issued = issuer.issueRtc(app, request);
            ParsedAccessToken2 parsed = AccessToken2Codec.decode(issued.token());

            AccessToken2 content = parsed.content();
            assertThat(content).isEqualTo(issued.content());
            assertThat(content.appId()).isEqualTo(app.appId());
            assertThat(content.issueTs()).isEqualTo(now);
            assertThat(content.salt()).isEqualTo(salt);
            assertThat(content.expire()).isEqualTo(ttl);
            assertThat(content.services()).hasSize(rtmUser == null ? 1 : 2);
            Service.Rtc rtc = (Service.Rtc) content.services().get(0);
            assertThat(rtc.channel()).isEqualTo(channel);
            assertThat(rtc.uid()).isEqualTo(byUid ? (uid == 0 ? "" : Long.toString(uid)) : account);
            List<Privilege> expected = new ArrayList<>(List.of(new Privilege(1, ttls.joinChannel())));
            if (role == RtcRole.PUBLISHER) {
                expected.add(new Privilege(2, ttls.publishAudio()));
                expected.add(new Privilege(3, ttls.publishVideo()));
                expected.add(new Privilege(4, ttls.publishData()));
            }
            assertThat(rtc.privileges()).isEqualTo(expected);
            if (rtmUser != null) {
                assertThat(content.services().get(1))
                        .isEqualTo(new Service.Rtm(List.of(new Privilege(1, rtmTtl)), rtmUser));
            }
            assertVerifiesOnlyWith(parsed, app.appCertificate());
        }
    }

    @Test
    void issuedRtmAndChatTokensParseBackToTheirInputs() {
        for (int i = 0; i < CASES; i++) {
            AppCredentials app = app();
            long now = u32();
            long salt = u32();
            long ttl = 1 + random.nextInt(86_400);
            IssuedToken issued;
            Service expected;
            switch (random.nextInt(3)) {
                case 0 -> {
                    String user = rtmUserId();
                    issued = issuer(now, salt).issueRtm(app, new RtmTokenRequest(user, ttl));
                    expected = new Service.Rtm(List.of(new Privilege(Service.RTM_LOGIN, ttl)), user);
                }
                case 1 -> {
                    String user = text(CHAT_CHARSET, 1, 64);
                    issued = issuer(now, salt).issueChat(app, ChatTokenRequest.user(user, ttl));
                    expected = new Service.Chat(List.of(new Privilege(Service.CHAT_USER, ttl)), user);
                }
                default -> {
                    issued = issuer(now, salt).issueChat(app, ChatTokenRequest.app(ttl));
                    expected = new Service.Chat(List.of(new Privilege(Service.CHAT_APP, ttl)), "");
                }
            }

            ParsedAccessToken2 parsed = AccessToken2Codec.decode(issued.token());

            assertThat(parsed.content()).isEqualTo(new AccessToken2(app.appId(), now, ttl, salt, List.of(expected)));
            assertVerifiesOnlyWith(parsed, app.appCertificate());
        }
    }

    @Test
    void issuedFpaApaasAndRtm2TokensParseBackToTheirInputs() {
        Rtm2TokenRequest.ResourceType[] resourceTypes = Rtm2TokenRequest.ResourceType.values();
        Rtm2TokenRequest.Access[] accesses = Rtm2TokenRequest.Access.values();
        for (int i = 0; i < CASES; i++) {
            AppCredentials app = app();
            long now = u32();
            long salt = u32();
            long ttl = 1 + random.nextInt(86_400);
            TokenIssuer issuer = issuer(now, salt);
            IssuedToken issued;
            List<Service> expected;
            switch (random.nextInt(5)) {
                case 0 -> {
                    issued = issuer.issueFpa(app, new FpaTokenRequest(ttl));
                    expected = List.of(new Service.Fpa(List.of(new Privilege(Service.FPA_LOGIN, 0))));
                }
                case 1 -> {
                    String room = text(AGORA_CHARSET, 1, 64);
                    String user = rtmUserId();
                    short role = (short) random.nextInt(Short.MAX_VALUE + 1);
                    issued = issuer.issueApaas(app, ApaasTokenRequest.roomUser(room, user, role, ttl));
                    expected = List.of(new Service.Rtm(List.of(new Privilege(Service.RTM_LOGIN, ttl)), user),
                            new Service.Chat(List.of(new Privilege(Service.CHAT_USER, ttl)), md5Hex(user)),
                            new Service.Apaas(List.of(new Privilege(Service.APAAS_ROOM_USER, ttl)), room, user, role));
                }
                case 2 -> {
                    String user = rtmUserId();
                    issued = issuer.issueApaas(app, ApaasTokenRequest.user(user, ttl));
                    expected = List.of(new Service.Apaas(List.of(new Privilege(Service.APAAS_USER, ttl)), "", user,
                            (short) -1));
                }
                case 3 -> {
                    issued = issuer.issueApaas(app, ApaasTokenRequest.app(ttl));
                    expected = List.of(new Service.Apaas(List.of(new Privilege(Service.APAAS_APP, ttl)), "", "",
                            (short) -1));
                }
                default -> {
                    String user = rtmUserId();
                    List<Rtm2TokenRequest.Permission> permissions = new ArrayList<>();
                    List<Service.Rtm2Permission> written = new ArrayList<>();
                    for (Rtm2TokenRequest.ResourceType type : resourceTypes) {
                        for (Rtm2TokenRequest.Access access : accesses) {
                            if (random.nextInt(3) == 0) {
                                List<String> resources = new ArrayList<>();
                                for (int r = random.nextInt(1, 20); r > 0; r--) {
                                    resources.add(text(AGORA_CHARSET, 1, 64));
                                }
                                permissions.add(Rtm2TokenRequest.permission(type, access, resources));
                                written.add(new Service.Rtm2Permission(type.agoraValue(), access.agoraValue(), resources));
                            }
                        }
                    }
                    // Any order in, resource type then access order out.
                    Collections.shuffle(permissions, new Random(random.nextLong()));
                    issued = issuer.issueRtm2(app, new Rtm2TokenRequest(user, ttl, permissions));
                    expected = List.of(new Service.Rtm2(List.of(new Privilege(Service.RTM2_LOGIN, ttl)), user, written));
                }
            }

            ParsedAccessToken2 parsed = AccessToken2Codec.decode(issued.token());

            assertThat(parsed.content()).isEqualTo(new AccessToken2(app.appId(), now, ttl, salt, expected));
            assertVerifiesOnlyWith(parsed, app.appCertificate());
        }
    }

    private static String md5Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void rawContentOfEveryServiceTypeRoundTripsThroughTheCodec() {
        for (int i = 0; i < CASES; i++) {
            AppCredentials app = app();
            int serviceCount = 1 + random.nextInt(4);
            List<Service> services = new ArrayList<>();
            for (int s = 0; s < serviceCount; s++) {
                services.add(randomService());
            }
            AccessToken2 content = new AccessToken2(app.appId(), u32(), u32(), u32(), services);

            String token = AccessToken2Codec.encode(content, app.appCertificate());
            ParsedAccessToken2 parsed = (ParsedAccessToken2) Tokens.decode(token);

            assertThat(parsed.content()).isEqualTo(content);
            assertThat(parsed.unknownServiceType()).isEmpty();
            assertVerifiesOnlyWith(parsed, app.appCertificate());
            // Re-encoding what was parsed gives the same token: nothing is lost or reordered.
            assertThat(AccessToken2Codec.encode(parsed.content(), app.appCertificate())).isEqualTo(token);
        }
    }

    @Test
    void legacyTokensRoundTripThroughTheRawCodecAndTheIssuer() {
        for (int i = 0; i < CASES; i++) {
            AppCredentials app = app();
            String channel = anyText(0, 80);
            String uid = random.nextBoolean() ? anyText(0, 40) : Long.toString(random.nextLong(0x1_0000_0000L));
            long salt = u32();
            long expireTs = u32();
            List<Privilege> privileges = randomPrivileges(1 + random.nextInt(6), true);

            String token = AccessTokenCodec.encode(app.appId(), app.appCertificate(), channel, uid, salt, expireTs, privileges);
            ParsedAccessToken parsed = (ParsedAccessToken) Tokens.decode(token);

            AccessToken content = parsed.content();
            assertThat(content.appId()).isEqualTo(app.appId());
            assertThat(content.salt()).isEqualTo(salt);
            assertThat(content.expireTs()).isEqualTo(expireTs);
            assertThat(content.privileges()).containsExactlyInAnyOrderElementsOf(privileges);
            assertThat(content.crcChannel()).isEqualTo(crc32(channel));
            assertThat(content.crcUid()).isEqualTo(crc32(uid));
            assertThat(parsed.verify(app.appCertificate(), channel, uid)).isTrue();
            assertThat(parsed.verify(otherCertificate(app.appCertificate()), channel, uid)).isFalse();
            assertThat(parsed.verify(app.appCertificate(), channel + "x", uid)).isFalse();
            assertThat(parsed.verify(app.appCertificate(), channel, uid + "1")).isFalse();
        }
        for (int i = 0; i < CASES / 4; i++) {
            AppCredentials app = app();
            long now = 1_000_000_000L + random.nextInt(1_000_000_000);
            long salt = u32();
            long privilegeExpireTs = now + 1 + random.nextInt(86_400);
            String channel = text(AGORA_CHARSET, 1, 64);
            long uid = random.nextLong(0x1_0000_0000L);
            LegacyRole role = LegacyRole.values()[random.nextInt(LegacyRole.values().length)];

            ParsedAccessToken rtc = AccessTokenCodec.decode(
                    issuer(now, salt).issueLegacyRtc(app, channel, RtcIdentity.uid(uid), role, privilegeExpireTs));
            String uidString = uid == 0 ? "" : Long.toString(uid);
            assertThat(rtc.verify(app.appCertificate(), channel, uidString)).isTrue();
            assertThat(rtc.content().expireTs()).isEqualTo(now + TokenIssuer.LEGACY_TOKEN_LIFETIME_SECONDS);
            assertThat(rtc.content().salt()).isEqualTo(salt);
            assertThat(rtc.content().privileges()).hasSize(role.publishes() ? 4 : 1)
                    .allSatisfy(p -> assertThat(p.value()).isEqualTo(privilegeExpireTs));

            String user = rtmUserId();
            ParsedAccessToken rtm = AccessTokenCodec.decode(issuer(now, salt).issueLegacyRtm(app, user, privilegeExpireTs));
            assertThat(rtm.verify(app.appCertificate(), user, "")).isTrue();
            assertThat(rtm.content().privileges()).containsExactly(new Privilege(AccessToken.RTM_LOGIN, privilegeExpireTs));
        }
    }

    private static void assertVerifiesOnlyWith(ParsedAccessToken2 parsed, String certificate) {
        assertThat(parsed.verify(certificate)).isTrue();
        assertThat(parsed.verify(otherCertificate(certificate))).isFalse();
    }

    /** The same certificate with one hex digit changed. */
    private static String otherCertificate(String certificate) {
        char first = certificate.charAt(0);
        return (first == '0' ? '1' : '0') + certificate.substring(1);
    }

    private Service randomService() {
        List<Privilege> privileges = randomPrivileges(random.nextInt(6), false);
        return switch (1 + random.nextInt(10)) {
            case Service.TYPE_RTC -> new Service.Rtc(privileges, anyText(0, 70), anyText(0, 30));
            case Service.TYPE_RTM -> new Service.Rtm(privileges, anyText(0, 70));
            case Service.TYPE_STREAMING -> new Service.Streaming(privileges, anyText(0, 70), anyText(0, 30));
            case Service.TYPE_FPA -> new Service.Fpa(privileges);
            case Service.TYPE_CHAT -> new Service.Chat(privileges, anyText(0, 70));
            case Service.TYPE_FCDN -> new Service.Fcdn(privileges, anyText(0, 70), anyText(0, 30));
            case Service.TYPE_APAAS -> new Service.Apaas(privileges, anyText(0, 40), anyText(0, 40),
                    (short) random.nextInt(Short.MIN_VALUE, Short.MAX_VALUE + 1));
            case Service.TYPE_RTM2 -> new Service.Rtm2(privileges, anyText(0, 40), randomPermissions());
            case Service.TYPE_CONVOAI -> new Service.ConvoAi(privileges);
            default -> new Service.Stt(privileges);
        };
    }

    /** RTM2 permissions as the encoder writes them: resource type, then permission type, ascending. */
    private List<Service.Rtm2Permission> randomPermissions() {
        List<Service.Rtm2Permission> permissions = new ArrayList<>();
        for (int resourceType = 0; resourceType <= 4; resourceType++) {
            for (int permissionType = 0; permissionType <= 1; permissionType++) {
                if (random.nextInt(3) == 0) {
                    List<String> resources = new ArrayList<>();
                    for (int r = random.nextInt(4); r > 0; r--) {
                        resources.add(anyText(0, 20));
                    }
                    permissions.add(new Service.Rtm2Permission(resourceType, permissionType, resources));
                }
            }
        }
        return permissions;
    }

    /** Distinct keys, values over the whole u32 range (0 included). */
    private List<Privilege> randomPrivileges(int count, boolean legacyKeys) {
        Set<Integer> keys = new HashSet<>();
        List<Privilege> privileges = new ArrayList<>();
        while (privileges.size() < count) {
            int key = legacyKeys && random.nextBoolean()
                    ? new int[] {1, 2, 3, 4, 5, 6, 101, 1000}[random.nextInt(8)]
                    : random.nextInt(0x1_0000);
            if (keys.add(key)) {
                privileges.add(new Privilege(key, random.nextInt(4) == 0 ? 0 : u32()));
            }
        }
        return privileges;
    }

    private TokenIssuer issuer(long now, long salt) {
        return new TokenIssuer(Clock.fixed(Instant.ofEpochSecond(now), ZoneOffset.UTC), SaltSource.fixed(salt),
                TokenLimits.agoraDefault());
    }

    private AppCredentials app() {
        return new AppCredentials(text(HEX, 32, 32), text(HEX, 32, 32));
    }

    private long u32() {
        return switch (random.nextInt(6)) {
            case 0 -> 0;
            case 1 -> 0xFFFF_FFFFL;
            case 2 -> 0x7FFF_FFFFL + random.nextInt(2);
            default -> random.nextLong(0x1_0000_0000L);
        };
    }

    private String rtmUserId() {
        String id = text(AGORA_CHARSET, 1, 64);
        return id.charAt(0) == ' ' ? "u" + id.substring(1) : id;
    }

    private String text(String alphabet, int minLength, int maxLength) {
        int length = minLength + random.nextInt(maxLength - minLength + 1);
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }

    /** Well-formed UTF-16 of any script (lone surrogates cannot round-trip through UTF-8). */
    private String anyText(int minPieces, int maxPieces) {
        int pieces = minPieces + random.nextInt(maxPieces - minPieces + 1);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < pieces; i++) {
            text.append(ANY_TEXT_PIECES[random.nextInt(ANY_TEXT_PIECES.length)]);
        }
        return text.toString();
    }

    private static long crc32(String text) {
        CRC32 crc = new CRC32();
        crc.update(text.getBytes(StandardCharsets.UTF_8));
        return crc.getValue();
    }
}
