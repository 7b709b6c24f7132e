package io.tokenservice.core.issue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tokenservice.core.token.AccessToken2;
import io.tokenservice.core.token.AccessToken2Codec;
import io.tokenservice.core.token.AccessTokenCodec;
import io.tokenservice.core.token.AppCredentials;
import io.tokenservice.core.token.Privilege;
import io.tokenservice.core.token.Service;
import io.tokenservice.core.validation.InvalidTokenInputException;
import io.tokenservice.core.wire.Zlib;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each input rule of the issuer and the raw encoders, at its boundary: the last accepted value
 * builds a token, the first rejected one raises {@link InvalidTokenInputException} naming the field,
 * and a rejected request never reaches the salt source (nothing is signed).
 */
class InputValidationTest {
    static final String APP_ID = "970CA35de60c44645bbae8a215061b33";
    static final String CERTIFICATE = "5CFd2fd1755d40ecb72977518be15d3b";
    static final AppCredentials APP = new AppCredentials(APP_ID, CERTIFICATE);
    static final long NOW = 1_700_000_000L;
    /** The 89 characters Agora allows in channel names, accounts and RTM user ids. */
    static final String AGORA_CHARSET =
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 !#$%&()+-:;<=.>?@[]^_{}|~,";
    static final String CHAT_CHARSET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.";

    /** Counts salts drawn: the issuer draws one only once the input passed every check. */
    final AtomicInteger saltsDrawn = new AtomicInteger();
    final TokenIssuer issuer = issuer(TokenLimits.agoraDefault());

    TokenIssuer issuer(TokenLimits limits) {
        return new TokenIssuer(Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC), () -> {
            saltsDrawn.incrementAndGet();
            return 42;
        }, limits);
    }

    void assertRejected(ThrowingCallable call, String field) {
        int before = saltsDrawn.get();
        assertThatThrownBy(call).isInstanceOfSatisfying(InvalidTokenInputException.class, e -> {
            assertThat(e.field()).isEqualTo(field);
            assertThat(e.rule()).isNotBlank();
            assertThat(e.getMessage()).doesNotContain(CERTIFICATE);
        });
        assertThat(saltsDrawn.get()).as("a salt was drawn for rejected input").isEqualTo(before);
    }

    static String repeat(char c, int times) {
        return String.valueOf(c).repeat(times);
    }

    IssuedToken rtc(String channel, RtcIdentity identity) {
        return issuer.issueRtc(APP, RtcTokenRequest.of(channel, identity, RtcRole.PUBLISHER, 3600));
    }

    @Nested
    class AppIdAndCertificate {
        @ParameterizedTest
        @ValueSource(strings = {"970CA35de60c44645bbae8a215061b33", "00000000000000000000000000000000",
            "ffffffffffffffffffffffffffffffff", "ABCDEFABCDEFABCDEFABCDEFABCDEF01"})
        void thirtyTwoHexCharactersOfEitherCaseAreAccepted(String hex) {
            assertThat(new AppCredentials(hex, hex).appId()).isEqualTo(hex);
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "970CA35de60c44645bbae8a215061b3", "970CA35de60c44645bbae8a215061b333",
            "970CA35de60c44645bbae8a215061b3g", "970CA35de60c44645bbae8a215061b3 ", " 970CA35de60c44645bbae8a215061b3",
            "970CA35de60c44645bbae8a215061b3\u0663", "970CA35de60c44645bbae8a215061b3\uFF21",
            "970ca35d-e60c-4464-5bba-e8a215061b"})
        void anythingElseIsRejectedForEither(String bad) {
            assertRejected(() -> new AppCredentials(bad, CERTIFICATE), "appId");
            assertRejected(() -> new AppCredentials(APP_ID, bad), "appCertificate");
            AccessToken2 content = new AccessToken2(bad, NOW, 600, 1, List.of(new Service.Fpa(List.of())));
            assertRejected(() -> AccessToken2Codec.encode(content, CERTIFICATE), "appId");
            AccessToken2 good = new AccessToken2(APP_ID, NOW, 600, 1, List.of(new Service.Fpa(List.of())));
            assertRejected(() -> AccessToken2Codec.encode(good, bad), "appCertificate");
            List<Privilege> join = List.of(new Privilege(1, NOW));
            assertRejected(() -> AccessTokenCodec.encode(bad, CERTIFICATE, "c", "", 1, NOW, join), "appId");
            assertRejected(() -> AccessTokenCodec.encode(APP_ID, bad, "c", "", 1, NOW, join), "appCertificate");
        }

        @Test
        void missingCredentialsAreRejected() {
            assertRejected(() -> new AppCredentials(null, CERTIFICATE), "appId");
            assertRejected(() -> new AppCredentials(APP_ID, null), "appCertificate");
        }

        @Test
        void theCertificateNeverShowsInToString() {
            assertThat(APP.toString()).contains(APP_ID).doesNotContain(CERTIFICATE);
        }
    }

    @Nested
    class Channel {
        @Test
        void everyOneOfTheEightyNineCharactersIsAccepted() {
            assertThat(AGORA_CHARSET).hasSize(89);
            for (int i = 0; i < AGORA_CHARSET.length(); i += 64) {
                String channel = AGORA_CHARSET.substring(i, Math.min(AGORA_CHARSET.length(), i + 64));
                assertThatCode(() -> rtc(channel, RtcIdentity.uid(1))).doesNotThrowAnyException();
            }
        }

        @Test
        void everyOtherCharacterIsRejected() {
            List<Character> others = new ArrayList<>();
            for (char c = 0; c < 0x300; c++) {
                if (AGORA_CHARSET.indexOf(c) < 0) {
                    others.add(c);
                }
            }
            others.addAll(List.of('\u9891', '\uD83D', '\uDE00', '\uFFFF', '\u2028'));
            // The six printable ASCII characters outside the set, named for the record.
            assertThat(others).contains('"', '\'', '*', '/', '\\', '`');
            for (char c : others) {
                assertRejected(() -> rtc("ok" + c, RtcIdentity.uid(1)), "channel");
            }
        }

        @Test
        void sixtyFourBytesIsTheLimitAndEmptyIsRejected() {
            assertThatCode(() -> rtc(repeat('c', 64), RtcIdentity.uid(1))).doesNotThrowAnyException();
            assertRejected(() -> rtc(repeat('c', 65), RtcIdentity.uid(1)), "channel");
            assertRejected(() -> rtc("", RtcIdentity.uid(1)), "channel");
            assertRejected(() -> issuer.issueLegacyRtc(APP, repeat('c', 65), RtcIdentity.uid(1), LegacyRole.PUBLISHER,
                    NOW + 60), "channel");
            assertRejected(() -> issuer.issueLegacyRtc(APP, "", RtcIdentity.uid(1), LegacyRole.PUBLISHER, NOW + 60),
                    "channel");
        }
    }

    @Nested
    class UserAccount {
        @Test
        void twoHundredFiftyFiveBytesOfTheCharacterSetIsTheLimit() {
            String account = (AGORA_CHARSET.repeat(3)).substring(0, 255);
            assertThat(rtc("c", RtcIdentity.account(account)).content().service(Service.Rtc.class).orElseThrow().uid())
                    .isEqualTo(account);
            assertRejected(() -> rtc("c", RtcIdentity.account(account + "x")), "account");
            assertRejected(() -> issuer.issueLegacyRtc(APP, "c", RtcIdentity.account(account + "x"),
                    LegacyRole.PUBLISHER, NOW + 60), "account");
        }

        @Test
        void theEmptyAccountIsTheWildcardAndAllowed() {
            IssuedToken token = rtc("c", RtcIdentity.account(""));
            assertThat(token.content().service(Service.Rtc.class).orElseThrow().uid()).isEmpty();
            assertThat(RtcIdentity.account("").isWildcard()).isTrue();
            assertThat(RtcIdentity.account("0").isWildcard()).isFalse();
        }

        @ParameterizedTest
        @ValueSource(strings = {"a\"b", "a/b", "a*b", "a\\b", "a`b", "a'b", "tab\t", "é", "用户", "\uD83D\uDE00", "\u0000"})
        void charactersOutsideTheSetAreRejected(String account) {
            assertRejected(() -> rtc("c", RtcIdentity.account(account)), "account");
        }
    }

    @Nested
    class Uid {
        @ParameterizedTest
        @ValueSource(longs = {0, 1, 0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFFL})
        void theWholeUnsignedRangeIsAccepted(long uid) {
            String encoded = uid == 0 ? "" : Long.toString(uid);
            assertThat(rtc("c", RtcIdentity.uid(uid)).content().service(Service.Rtc.class).orElseThrow().uid())
                    .isEqualTo(encoded);
        }

        @ParameterizedTest
        @ValueSource(longs = {-1, 0x1_0000_0000L, Long.MAX_VALUE, Long.MIN_VALUE})
        void valuesOutsideItAreRejected(long uid) {
            assertRejected(() -> RtcIdentity.uid(uid), "uid");
        }
    }

    @Nested
    class RtmUserId {
        List<Function<String, IssuedToken>> builders() {
            return List.of(
                    user -> issuer.issueRtm(APP, new RtmTokenRequest(user, 600)),
                    user -> issuer.issueRtc(APP, RtcTokenRequest.of("c", RtcIdentity.uid(1), RtcRole.PUBLISHER, 600)
                            .withRtm(new RtmTokenRequest(user, 600))));
        }

        List<String> fields() {
            return List.of("userId", "rtm.userId");
        }

        @Test
        void sixtyFourBytesOfTheCharacterSetWithSpacesInsideIsAccepted() {
            for (Function<String, IssuedToken> build : builders()) {
                assertThatCode(() -> build.apply(repeat('u', 64))).doesNotThrowAnyException();
                assertThatCode(() -> build.apply("a b " + AGORA_CHARSET.substring(0, 40) + " ")).doesNotThrowAnyException();
            }
            assertThatCode(() -> issuer.issueLegacyRtm(APP, repeat('u', 64), NOW + 60)).doesNotThrowAnyException();
        }

        @Test
        void tooLongEmptyLeadingSpaceOrForeignCharactersAreRejected() {
            for (int i = 0; i < 2; i++) {
                Function<String, IssuedToken> build = builders().get(i);
                String field = fields().get(i);
                for (String bad : List.of(repeat('u', 65), "", " user", "us/er", "usér", "user\n")) {
                    assertRejected(() -> build.apply(bad), field);
                }
            }
            assertRejected(() -> issuer.issueLegacyRtm(APP, " user", NOW + 60), "userId");
            assertRejected(() -> issuer.issueLegacyRtm(APP, repeat('u', 65), NOW + 60), "userId");
        }
    }

    @Nested
    class ChatUserId {
        @Test
        void lettersDigitsUnderscoreDashDotUpToSixtyFourAreAccepted() {
            assertThatCode(() -> issuer.issueChat(APP, ChatTokenRequest.user(CHAT_CHARSET.substring(0, 64), 600)))
                    .doesNotThrowAnyException();
            assertThatCode(() -> issuer.issueChat(APP, ChatTokenRequest.user(CHAT_CHARSET.substring(60), 600)))
                    .doesNotThrowAnyException();
        }

        @Test
        void anythingElseIsRejected() {
            for (String bad : List.of(repeat('u', 65), "", "a b", "a@b", "a+b", "a:b", "ü", "a#b")) {
                assertRejected(() -> issuer.issueChat(APP, ChatTokenRequest.user(bad, 600)), "userId");
            }
        }
    }

    @Nested
    class Apaas {
        @Test
        void roomAndUserIdsFollowTheRtmChannelAndUserIdRules() {
            String room = AGORA_CHARSET.substring(0, 64);
            String user = "a b " + AGORA_CHARSET.substring(0, 60);
            assertThat(issuer.issueApaas(APP, ApaasTokenRequest.roomUser(room, user, (short) 2, 600)).content()
                    .service(Service.Apaas.class).orElseThrow()).isEqualTo(new Service.Apaas(
                            List.of(new Privilege(Service.APAAS_ROOM_USER, 600)), room, user, (short) 2));
            assertThatCode(() -> issuer.issueApaas(APP, ApaasTokenRequest.user(user, 600))).doesNotThrowAnyException();
            for (String bad : List.of("", repeat('r', 65), "a/b", "ü")) {
                assertRejected(() -> issuer.issueApaas(APP, ApaasTokenRequest.roomUser(bad, "u", (short) 1, 600)),
                        "roomUuid");
            }
            for (String bad : List.of("", repeat('u', 65), " lead", "a*b")) {
                assertRejected(() -> issuer.issueApaas(APP, ApaasTokenRequest.roomUser("r", bad, (short) 1, 600)),
                        "userUuid");
                assertRejected(() -> issuer.issueApaas(APP, ApaasTokenRequest.user(bad, 600)), "userUuid");
            }
        }

        @Test
        void aRoomUsersRoleIsNeverNegative() {
            assertThatCode(() -> issuer.issueApaas(APP, ApaasTokenRequest.roomUser("r", "u", (short) 0, 600)))
                    .doesNotThrowAnyException();
            assertThatCode(() -> issuer.issueApaas(APP, ApaasTokenRequest.roomUser("r", "u", Short.MAX_VALUE, 600)))
                    .doesNotThrowAnyException();
            for (short bad : new short[] {-1, Short.MIN_VALUE}) {
                assertRejected(() -> issuer.issueApaas(APP, ApaasTokenRequest.roomUser("r", "u", bad, 600)), "role");
            }
        }
    }

    @Nested
    class Rtm2Permissions {
        IssuedToken rtm2(String userId, Rtm2TokenRequest.Permission... permissions) {
            return issuer.issueRtm2(APP, new Rtm2TokenRequest(userId, 600, List.of(permissions)));
        }

        Rtm2TokenRequest.Permission permission(Rtm2TokenRequest.ResourceType type, Rtm2TokenRequest.Access access,
                String... resources) {
            return Rtm2TokenRequest.permission(type, access, List.of(resources));
        }

        @Test
        void permissionsAreWrittenByResourceTypeThenAccessWithResourcesInTheOrderGiven() {
            IssuedToken token = rtm2("u",
                    permission(Rtm2TokenRequest.ResourceType.USERS, Rtm2TokenRequest.Access.WRITE, "zed", "amy"),
                    permission(Rtm2TokenRequest.ResourceType.STREAM_CHANNELS, Rtm2TokenRequest.Access.WRITE, "s"),
                    permission(Rtm2TokenRequest.ResourceType.USERS, Rtm2TokenRequest.Access.READ, "bob"),
                    permission(Rtm2TokenRequest.ResourceType.MESSAGE_CHANNELS, Rtm2TokenRequest.Access.READ, "m"));

            Service.Rtm2 rtm2 = AccessToken2Codec.decode(token.token()).content().service(Service.Rtm2.class).orElseThrow();
            assertThat(rtm2.privileges()).containsExactly(new Privilege(Service.RTM2_LOGIN, 600));
            assertThat(rtm2.permissions()).containsExactly(
                    new Service.Rtm2Permission(Service.RTM2_MESSAGE_CHANNELS, Service.RTM2_READ, List.of("m")),
                    new Service.Rtm2Permission(Service.RTM2_STREAM_CHANNELS, Service.RTM2_WRITE, List.of("s")),
                    new Service.Rtm2Permission(Service.RTM2_USERS, Service.RTM2_READ, List.of("bob")),
                    new Service.Rtm2Permission(Service.RTM2_USERS, Service.RTM2_WRITE, List.of("zed", "amy")));
        }

        @Test
        void noPermissionIsALoginOnlyToken() {
            assertThat(rtm2("u").content().service(Service.Rtm2.class).orElseThrow().permissions()).isEmpty();
        }

        @Test
        void theUserIdFollowsTheRtmRules() {
            for (String bad : List.of("", " lead", repeat('u', 65), "a`b")) {
                assertRejected(() -> rtm2(bad), "userId");
            }
        }

        @Test
        void resourcesAreNamedAsRtmNamesChannelsAndUsers() {
            assertThatCode(() -> rtm2("u", permission(Rtm2TokenRequest.ResourceType.GROUP_CHANNELS,
                    Rtm2TokenRequest.Access.READ, repeat('g', 64), " spaced name ", AGORA_CHARSET.substring(25, 89))))
                    .doesNotThrowAnyException();
            for (String bad : List.of("", repeat('g', 65), "a/b", "*", "é")) {
                assertRejected(() -> rtm2("u", permission(Rtm2TokenRequest.ResourceType.SERVER_GROUPS,
                        Rtm2TokenRequest.Access.WRITE, "ok", bad)), "permissions[0].resources[1]");
            }
            assertRejected(() -> rtm2("u", permission(Rtm2TokenRequest.ResourceType.USERS, Rtm2TokenRequest.Access.READ)),
                    "permissions[0].resources");
        }

        @Test
        void aResourceTypeAndAccessPairAppearsOnce() {
            assertRejected(() -> rtm2("u",
                    permission(Rtm2TokenRequest.ResourceType.USERS, Rtm2TokenRequest.Access.READ, "a"),
                    permission(Rtm2TokenRequest.ResourceType.USERS, Rtm2TokenRequest.Access.WRITE, "a"),
                    permission(Rtm2TokenRequest.ResourceType.USERS, Rtm2TokenRequest.Access.READ, "b")), "permissions[2]");
        }
    }

    @Nested
    class Lifetimes {
        @Test
        void tokenLifetimesArePositiveAndAtMostTwentyFourHours() {
            long max = TokenLimits.AGORA_MAX_TTL_SECONDS;
            for (long ttl : new long[] {1, max}) {
                assertThat(rtcWithTtl(issuer, ttl).content().expire()).isEqualTo(ttl);
                assertThat(issuer.issueRtm(APP, new RtmTokenRequest("u", ttl)).content().expire()).isEqualTo(ttl);
                assertThat(issuer.issueChat(APP, ChatTokenRequest.user("u", ttl)).content().expire()).isEqualTo(ttl);
                assertThat(issuer.issueChat(APP, ChatTokenRequest.app(ttl)).content().expire()).isEqualTo(ttl);
                assertThat(issuer.issueFpa(APP, new FpaTokenRequest(ttl)).content().expire()).isEqualTo(ttl);
                assertThat(issuer.issueRtm2(APP, new Rtm2TokenRequest("u", ttl, List.of())).content().expire())
                        .isEqualTo(ttl);
                for (ApaasTokenRequest apaas : List.of(ApaasTokenRequest.roomUser("r", "u", (short) 1, ttl),
                        ApaasTokenRequest.user("u", ttl), ApaasTokenRequest.app(ttl))) {
                    assertThat(issuer.issueApaas(APP, apaas).content().expire()).isEqualTo(ttl);
                }
            }
            for (long ttl : new long[] {0, -1, max + 1, Long.MAX_VALUE, Long.MIN_VALUE}) {
                assertRejected(() -> rtcWithTtl(issuer, ttl), "ttlSeconds");
                assertRejected(() -> issuer.issueRtm(APP, new RtmTokenRequest("u", ttl)), "ttlSeconds");
                assertRejected(() -> issuer.issueChat(APP, ChatTokenRequest.user("u", ttl)), "ttlSeconds");
                assertRejected(() -> issuer.issueChat(APP, ChatTokenRequest.app(ttl)), "ttlSeconds");
                assertRejected(() -> issuer.issueFpa(APP, new FpaTokenRequest(ttl)), "ttlSeconds");
                assertRejected(() -> issuer.issueRtm2(APP, new Rtm2TokenRequest("u", ttl, List.of())), "ttlSeconds");
                assertRejected(() -> issuer.issueApaas(APP, ApaasTokenRequest.roomUser("r", "u", (short) 1, ttl)),
                        "ttlSeconds");
                assertRejected(() -> issuer.issueApaas(APP, ApaasTokenRequest.user("u", ttl)), "ttlSeconds");
                assertRejected(() -> issuer.issueApaas(APP, ApaasTokenRequest.app(ttl)), "ttlSeconds");
                assertRejected(() -> issuer.issueRtc(APP, RtcTokenRequest.of("c", RtcIdentity.uid(1), RtcRole.PUBLISHER, 600)
                        .withRtm(new RtmTokenRequest("u", ttl))), "rtm.ttlSeconds");
                assertRejected(() -> issuer.reissue(APP, ttl, List.of(new Service.Fpa(List.of()))), "ttlSeconds");
            }
        }

        @Test
        void tokenLimitsWidenTheMaximumExplicitly() {
            TokenIssuer wide = issuer(new TokenLimits(172_800));
            assertThat(wide.limits().maxTtlSeconds()).isEqualTo(172_800);
            assertThat(rtcWithTtl(wide, 172_800).content().expire()).isEqualTo(172_800);
            assertRejected(() -> rtcWithTtl(wide, 172_801), "ttlSeconds");
            assertThatThrownBy(() -> new TokenLimits(0)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> new TokenLimits(0x1_0000_0000L)).isInstanceOf(IllegalArgumentException.class);
        }

        IssuedToken rtcWithTtl(TokenIssuer issuer, long ttl) {
            return issuer.issueRtc(APP, RtcTokenRequest.of("c", RtcIdentity.uid(1), RtcRole.PUBLISHER, ttl));
        }

        @Test
        void eachPrivilegeLifetimeIsPositiveAndAtMostTheTokens() {
            String[] fields = {"privilegeTtls.joinChannel", "privilegeTtls.publishAudio", "privilegeTtls.publishVideo",
                "privilegeTtls.publishData"};
            for (int which = 0; which < 4; which++) {
                for (long bad : new long[] {0, -1, 601}) {
                    long[] ttls = {600, 600, 600, 600};
                    ttls[which] = bad;
                    RtcTokenRequest request = RtcTokenRequest.of("c", RtcIdentity.uid(1), RtcRole.PUBLISHER, 600)
                            .withPrivilegeTtls(new RtcPrivilegeTtls(ttls[0], ttls[1], ttls[2], ttls[3]));
                    assertRejected(() -> issuer.issueRtc(APP, request), fields[which]);
                }
            }
            RtcTokenRequest atTheLimit = RtcTokenRequest.of("c", RtcIdentity.uid(1), RtcRole.PUBLISHER, 600)
                    .withPrivilegeTtls(new RtcPrivilegeTtls(600, 1, 600, 1));
            assertThat(issuer.issueRtc(APP, atTheLimit).content().services().get(0).privileges())
                    .containsExactly(new Privilege(1, 600), new Privilege(2, 1), new Privilege(3, 600), new Privilege(4, 1));
        }

        @Test
        void aSubscribersPublishLifetimesAreDroppedNotChecked() {
            RtcTokenRequest request = RtcTokenRequest.of("c", RtcIdentity.uid(1), RtcRole.SUBSCRIBER, 600)
                    .withPrivilegeTtls(new RtcPrivilegeTtls(300, 0, 9_999, -5));
            assertThat(issuer.issueRtc(APP, request).content().services().get(0).privileges())
                    .containsExactly(new Privilege(1, 300));
        }

        @Test
        void reissuedPrivilegesMayNotOutliveTheNewLifetime() {
            List<Service> services = List.of(new Service.Rtc(List.of(new Privilege(1, 600), new Privilege(2, 0)), "c", "7"));
            assertThat(issuer.reissue(APP, 600, services).content().services()).isEqualTo(services);
            assertRejected(() -> issuer.reissue(APP, 599, services), "services");
        }

        @Test
        void legacyPrivilegeExpiryIsInTheFutureAndWithinTheLimit() {
            long max = TokenLimits.AGORA_MAX_TTL_SECONDS;
            assertThatCode(() -> issuer.issueLegacyRtc(APP, "c", RtcIdentity.uid(1), LegacyRole.PUBLISHER, NOW + 1))
                    .doesNotThrowAnyException();
            assertThatCode(() -> issuer.issueLegacyRtm(APP, "u", NOW + max)).doesNotThrowAnyException();
            for (long bad : new long[] {0, NOW - 1, NOW, NOW + max + 1}) {
                assertRejected(() -> issuer.issueLegacyRtc(APP, "c", RtcIdentity.uid(1), LegacyRole.PUBLISHER, bad),
                        "privilegeExpireTs");
                assertRejected(() -> issuer.issueLegacyRtm(APP, "u", bad), "privilegeExpireTs");
            }
        }
    }

    /** The raw encoders sign anything well-formed, but no field can exceed its u16 length prefix. */
    @Nested
    class RawEncoderFieldLengths {
        final List<Privilege> join = List.of(new Privilege(1, 600));

        String encode(Service service) {
            return AccessToken2Codec.encode(new AccessToken2(APP_ID, NOW, 600, 1, List.of(service)), CERTIFICATE);
        }

        @Test
        void exactly65535BytesFitsAnd65536DoesNot() {
            String max = repeat('a', 65_535);
            String over = repeat('a', 65_536);
            String maxMultiByte = repeat('\u9891', 21_845); // 3 bytes each: 65535
            String overMultiByte = repeat('\u9891', 21_846); // 65538
            // A 007 field of 65535 bytes passes its own rule but makes a token no decoder here accepts.
            assertRejected(() -> encode(new Service.Rtc(join, max, "")), "services");
            assertRejected(() -> encode(new Service.Rtc(join, "", maxMultiByte)), "services");
            assertRejected(() -> encode(new Service.Rtc(join, over, "")), "channel");
            assertRejected(() -> encode(new Service.Rtc(join, "c", overMultiByte)), "uid");
            assertRejected(() -> encode(new Service.Rtm(join, over)), "userId");
            assertRejected(() -> encode(new Service.Chat(join, overMultiByte)), "userId");
            assertRejected(() -> encode(new Service.Streaming(join, "c", over)), "account");
            assertRejected(() -> encode(new Service.Fcdn(join, over, "a")), "channel");
            assertRejected(() -> encode(new Service.Apaas(join, over, "u", (short) -1)), "roomUuid");
            assertRejected(() -> encode(new Service.Apaas(join, "r", over, (short) -1)), "userUuid");
            assertRejected(() -> encode(new Service.Rtm2(join, "u",
                    List.of(new Service.Rtm2Permission(0, 0, List.of("ok", over))))), "permissions");

            List<Privilege> legacy = List.of(new Privilege(1, NOW));
            assertThatCode(() -> AccessTokenCodec.encode(APP_ID, CERTIFICATE, max, "", 1, NOW, legacy))
                    .doesNotThrowAnyException();
            assertRejected(() -> AccessTokenCodec.encode(APP_ID, CERTIFICATE, over, "", 1, NOW, legacy), "channel");
            assertRejected(() -> AccessTokenCodec.encode(APP_ID, CERTIFICATE, "c", overMultiByte, 1, NOW, legacy), "uid");
        }

        @Test
        void theEncoderRefusesATokenItsDecoderWouldRefuse() {
            // 96 bytes of signature, header and one RTC service with one privilege, besides the channel.
            String largest = encode(new Service.Rtc(join, repeat('a', Zlib.MAX_INFLATED_BYTES - 96), ""));
            assertThat(AccessToken2Codec.decode(largest).verify(CERTIFICATE)).isTrue();
            assertRejected(() -> encode(new Service.Rtc(join, repeat('a', Zlib.MAX_INFLATED_BYTES - 95), "")), "services");

            // Random names hardly compress: 2,000 of them (30 KB) make a token longer than a decoder accepts.
            SplittableRandom random = new SplittableRandom(4);
            List<String> resources = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                resources.add(Long.toString(random.nextLong(), 36));
            }
            assertRejected(() -> encode(new Service.Rtm2(join, "u",
                    List.of(new Service.Rtm2Permission(Service.RTM2_USERS, Service.RTM2_READ, resources)))), "services");
            String fits = encode(new Service.Rtm2(join, "u", List.of(new Service.Rtm2Permission(Service.RTM2_USERS,
                    Service.RTM2_READ, resources.subList(0, 600)))));
            assertThat(fits.length()).isLessThanOrEqualTo(AccessToken2Codec.MAX_TOKEN_CHARS);
            assertThat(AccessToken2Codec.decode(fits).content().service(Service.Rtm2.class).orElseThrow()
                    .permissions().get(0).resources()).hasSize(600);
        }

        @Test
        void aTokenNeedsAServiceOrAPrivilege() {
            assertRejected(() -> AccessToken2Codec.encode(new AccessToken2(APP_ID, NOW, 600, 1, List.of()), CERTIFICATE),
                    "services");
            assertRejected(() -> AccessTokenCodec.encode(APP_ID, CERTIFICATE, "c", "", 1, NOW, List.of()), "privileges");
        }

        @Test
        void theLegacyEncoderRefusesWhatItsDecoderWouldRefuse() {
            List<Privilege> twice = List.of(new Privilege(1, NOW), new Privilege(1, NOW + 1));
            assertRejected(() -> AccessTokenCodec.encode(APP_ID, CERTIFICATE, "c", "", 1, NOW, twice), "privileges");
            List<Privilege> join = List.of(new Privilege(1, NOW));
            assertRejected(() -> AccessTokenCodec.encode(APP_ID, CERTIFICATE, "c", "", -1, NOW, join), "salt");
            assertRejected(() -> AccessTokenCodec.encode(APP_ID, CERTIFICATE, "c", "", 1, 0x1_0000_0000L, join), "expireTs");
        }
    }

    /**
     * Random valid requests with exactly one field broken: the issuer names that field and signs
     * nothing; the same request unbroken is signed.
     */
    @Test
    void breakingAnyOneFieldOfAValidRequestIsCaughtBeforeSigning() {
        SplittableRandom random = new SplittableRandom(77);
        String[] badChannels = {"", repeat('c', 65), "a/b", "ü"};
        String[] badAccounts = {repeat('a', 256), "a\"b", "\t"};
        String[] badRtmUsers = {"", " lead", repeat('u', 65), "a`b"};
        long[] badTtls = {0, -3, TokenLimits.AGORA_MAX_TTL_SECONDS + 1};
        for (int i = 0; i < 2_000; i++) {
            int start = random.nextInt(40);
            String channel = AGORA_CHARSET.substring(start, start + 1 + random.nextInt(49));
            String account = "acc" + random.nextInt(1_000_000);
            String rtmUser = "rtm" + random.nextInt(1_000_000);
            long ttl = 1 + random.nextInt(86_400);
            long rtmTtl = 1 + random.nextInt(86_400);
            int broken = random.nextInt(5);
            String field = switch (broken) {
                case 0 -> {
                    channel = badChannels[random.nextInt(badChannels.length)];
                    yield "channel";
                }
                case 1 -> {
                    account = badAccounts[random.nextInt(badAccounts.length)];
                    yield "account";
                }
                case 2 -> {
                    rtmUser = badRtmUsers[random.nextInt(badRtmUsers.length)];
                    yield "rtm.userId";
                }
                case 3 -> {
                    ttl = badTtls[random.nextInt(badTtls.length)];
                    yield "ttlSeconds";
                }
                default -> {
                    rtmTtl = badTtls[random.nextInt(badTtls.length)];
                    yield "rtm.ttlSeconds";
                }
            };
            RtcTokenRequest request = new RtcTokenRequest(channel, RtcIdentity.account(account), RtcRole.PUBLISHER, ttl,
                    java.util.Optional.empty(), java.util.Optional.of(new RtmTokenRequest(rtmUser, rtmTtl)));
            assertRejected(() -> issuer.issueRtc(APP, request), field);
        }
        assertThat(saltsDrawn.get()).isZero();
        issuer.issueRtc(APP, RtcTokenRequest.of("c", RtcIdentity.account("a"), RtcRole.PUBLISHER, 60)
                .withRtm(new RtmTokenRequest("u", 60)));
        assertThat(saltsDrawn.get()).isOne();
    }
}
