package io.tokenservice.core.token;

import static io.tokenservice.core.testing.TokenVectors.hex;
import static io.tokenservice.core.testing.TokenVectors.inflate007;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.tokenservice.core.issue.ApaasTokenRequest;
import io.tokenservice.core.issue.ChatTokenRequest;
import io.tokenservice.core.issue.FpaTokenRequest;
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
import io.tokenservice.core.testing.TokenVectors;
import io.tokenservice.core.testing.TokenVectors.Case;
import io.tokenservice.core.validation.InvalidTokenInputException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every case of {@code token-vectors.json}: built through the raw codecs (all cases) and through
 * {@link TokenIssuer} (the cases it can build, with Agora-valid input), asserting the content,
 * signature and exact token string; and every token string of every case parsed back to the case's
 * {@code decoded} fields, verified with its certificate and refused with a wrong one.
 */
class TokenVectorsTest {
    /** A certificate that is well-formed but not the one that signed any vector. */
    private static final String WRONG_CERTIFICATE = "00000000000000000000000000000000";

    /** 007 kinds {@link TokenIssuer} builds. */
    private static final Set<String> ISSUER_KINDS = Set.of("rtc_uid", "rtc_account", "rtc_privileges",
            "rtc_with_rtm", "rtc_with_rtm2", "rtm", "rtm2_permissions", "chat_user", "chat_app", "fpa",
            "apaas_user", "apaas_app");

    /**
     * Vectors whose inputs break the issuer's rules (Agora's documented limits), and the field the
     * issuer must name. The raw codec still builds them byte for byte.
     */
    private static final Map<String, String> ISSUER_REJECTS = Map.of(
            "rtc_uid_1_subscriber_privilege_0", "privilegeTtls.joinChannel",
            "rtc_uid_48h_not_clamped", "ttlSeconds",
            "rtc_uid_privilege_longer_than_token", "privilegeTtls.joinChannel",
            "rtc_channel_empty", "channel",
            "rtc_unicode_not_agora_valid", "channel",
            "rtc_privileges_account", "privilegeTtls.publishAudio",
            "rtc_privileges_uid0_all_zero", "privilegeTtls.joinChannel");

    static Stream<Case> v007() {
        return TokenVectors.version("007").stream();
    }

    static Stream<Case> v006() {
        return TokenVectors.version("006").stream();
    }

    /** 006 kinds with a builder; the raw ones are published strings (issued in 1970) with no builder. */
    static Stream<Case> issuer006() {
        return v006().filter(c -> !c.kind().equals("raw"));
    }

    static Stream<Case> issuer007() {
        return v007().filter(c -> ISSUER_KINDS.contains(c.kind()));
    }

    static Stream<Arguments> everyTokenString() {
        return TokenVectors.all().stream().flatMap(c -> c.tokenStrings().entrySet().stream()
                .map(e -> Arguments.of(c.name() + " " + e.getKey(), c, e.getValue())));
    }

    @Test
    void theVectorFileHasTheCasesTheSpecDescribes() {
        assertThat(TokenVectors.all()).hasSize(68);
        assertThat(TokenVectors.version("007")).hasSize(52);
        assertThat(TokenVectors.version("006")).hasSize(16);
        assertThat(ISSUER_REJECTS.keySet()).allSatisfy(name -> assertThat(TokenVectors.named(name)).isNotNull());
    }

    // ---- 007: build ----

    @ParameterizedTest(name = "{0}")
    @MethodSource("v007")
    void rawCodecBuildsEvery007CaseExactly(Case c) {
        AccessToken2 content = new AccessToken2(c.appId(), c.num("issueTs"), c.expire(), c.num("salt"), c.services());

        String token = AccessToken2Codec.encode(content, c.certificate());

        assertBuilt007(c, token);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("issuer007")
    void issuerBuildsOrRejectsEveryCaseOfAKindItIssues(Case c) {
        TokenIssuer issuer = issuer(c.num("issueTs"), c.num("salt"), TokenLimits.agoraDefault());
        String rejectedField = ISSUER_REJECTS.get(c.name());
        if (rejectedField == null) {
            assertBuilt007(c, issue(issuer, c));
        } else {
            assertThatThrownBy(() -> issue(issuer, c))
                    .isInstanceOfSatisfying(InvalidTokenInputException.class,
                            e -> assertThat(e.field()).isEqualTo(rejectedField));
        }
    }

    @Test
    void aWidenedLimitLetsTheIssuerBuildThe48HourCase() {
        Case c = TokenVectors.named("rtc_uid_48h_not_clamped");
        TokenIssuer issuer = issuer(c.num("issueTs"), c.num("salt"), new TokenLimits(172_800));

        assertBuilt007(c, issue(issuer, c));
        assertThatThrownBy(() -> issue(issuer(c.num("issueTs"), c.num("salt"), new TokenLimits(172_799)), c))
                .isInstanceOfSatisfying(InvalidTokenInputException.class,
                        e -> assertThat(e.field()).isEqualTo("ttlSeconds"));
    }

    private static void assertBuilt007(Case c, String token) {
        byte[] content = inflate007(token);
        assertThat(hex(content)).isEqualTo(c.field("uncompressedHex"));
        assertThat(hex(Arrays.copyOfRange(content, 2, 34))).isEqualTo(c.field("signatureHex"));
        assertThat(hex(Arrays.copyOfRange(content, 34, content.length))).isEqualTo(c.field("signingInfoHex"));
        // zlib chose the fixed Huffman code for every reference token, and so the whole string must match.
        assertThat(token).isEqualTo(c.field("expectedTokenJdkDeflater"));
    }

    /** Builds a 007 case through the issuer, mapping its inputs as the brief maps the kinds. */
    private static String issue(TokenIssuer issuer, Case c) {
        AppCredentials app = new AppCredentials(c.appId(), c.certificate());
        return switch (c.kind()) {
            case "rtc_uid", "rtc_account" -> issuer.issueRtc(app, RtcTokenRequest
                    .of(c.str("channel"), identity(c), role(c.num("role")), c.num("tokenExpire"))
                    .withPrivilegeTtls(RtcPrivilegeTtls.uniform(c.num("privilegeExpire")))).token();
            case "rtc_privileges" -> issuer.issueRtc(app, RtcTokenRequest
                    .of(c.str("channel"), identity(c), RtcRole.PUBLISHER, c.num("tokenExpire"))
                    .withPrivilegeTtls(new RtcPrivilegeTtls(c.num("joinChannelPrivilegeExpire"),
                            c.num("pubAudioPrivilegeExpire"), c.num("pubVideoPrivilegeExpire"),
                            c.num("pubDataStreamPrivilegeExpire")))).token();
            case "rtc_with_rtm" -> issuer.issueRtc(app, RtcTokenRequest
                    .of(c.str("channel"), identity(c), role(c.num("role")), c.num("tokenExpire"))
                    .withPrivilegeTtls(RtcPrivilegeTtls.uniform(c.num("privilegeExpire")))
                    .withRtm(new RtmTokenRequest(c.str("account"), c.num("tokenExpire")))).token();
            case "rtc_with_rtm2" -> issuer.issueRtc(app, RtcTokenRequest
                    .of(c.str("channel"), RtcIdentity.account(c.str("rtcAccount")), role(c.num("rtcRole")),
                            c.num("rtcTokenExpire"))
                    .withPrivilegeTtls(new RtcPrivilegeTtls(c.num("joinChannelPrivilegeExpire"),
                            c.num("pubAudioPrivilegeExpire"), c.num("pubVideoPrivilegeExpire"),
                            c.num("pubDataStreamPrivilegeExpire")))
                    .withRtm(new RtmTokenRequest(c.str("rtmUserId"), c.num("rtmTokenExpire")))).token();
            case "rtm" -> issuer.issueRtm(app, new RtmTokenRequest(c.str("userId"), c.num("tokenExpire"))).token();
            case "rtm2_permissions" -> issuer.issueRtm2(app, new Rtm2TokenRequest(c.str("userId"), c.num("tokenExpire"),
                    rtm2Permissions(c))).token();
            case "fpa" -> issuer.issueFpa(app, FpaTokenRequest.agoraDefault()).token();
            case "apaas_user" -> issuer.issueApaas(app, ApaasTokenRequest.user(c.str("userUuid"), c.num("tokenExpire")))
                    .token();
            case "apaas_app" -> issuer.issueApaas(app, ApaasTokenRequest.app(c.num("tokenExpire"))).token();
            case "chat_user" -> issuer.issueChat(app, ChatTokenRequest.user(c.str("userId"), c.num("tokenExpire"))).token();
            case "chat_app" -> issuer.issueChat(app, ChatTokenRequest.app(c.num("tokenExpire"))).token();
            default -> throw new IllegalArgumentException("the issuer has no builder for " + c.kind());
        };
    }

    /** The vector's permissions ({"resourceType": {"permissionType": [resources]}}) as issuer input. */
    private static List<Rtm2TokenRequest.Permission> rtm2Permissions(Case c) {
        List<Rtm2TokenRequest.Permission> permissions = new ArrayList<>();
        for (Map.Entry<String, JsonElement> byType : c.inputs().getAsJsonObject("permissions").entrySet()) {
            for (Map.Entry<String, JsonElement> byAccess : byType.getValue().getAsJsonObject().entrySet()) {
                List<String> resources = new ArrayList<>();
                byAccess.getValue().getAsJsonArray().forEach(r -> resources.add(r.getAsString()));
                permissions.add(Rtm2TokenRequest.permission(resourceType(Integer.parseInt(byType.getKey())),
                        access(Integer.parseInt(byAccess.getKey())), resources));
            }
        }
        return permissions;
    }

    private static Rtm2TokenRequest.ResourceType resourceType(int agoraValue) {
        for (Rtm2TokenRequest.ResourceType type : Rtm2TokenRequest.ResourceType.values()) {
            if (type.agoraValue() == agoraValue) {
                return type;
            }
        }
        throw new IllegalArgumentException("RTM2 resource type " + agoraValue);
    }

    private static Rtm2TokenRequest.Access access(int agoraValue) {
        for (Rtm2TokenRequest.Access access : Rtm2TokenRequest.Access.values()) {
            if (access.agoraValue() == agoraValue) {
                return access;
            }
        }
        throw new IllegalArgumentException("RTM2 permission type " + agoraValue);
    }

    private static RtcIdentity identity(Case c) {
        return c.has("uid") ? RtcIdentity.uid(c.num("uid")) : RtcIdentity.account(c.str("account"));
    }

    private static RtcRole role(long agoraValue) {
        return switch ((int) agoraValue) {
            case 1 -> RtcRole.PUBLISHER;
            case 2 -> RtcRole.SUBSCRIBER;
            default -> throw new IllegalArgumentException("007 role " + agoraValue);
        };
    }

    private static TokenIssuer issuer(long issueTs, long salt, TokenLimits limits) {
        return new TokenIssuer(Clock.fixed(Instant.ofEpochSecond(issueTs), ZoneOffset.UTC), SaltSource.fixed(salt), limits);
    }

    // ---- 006: build ----

    @ParameterizedTest(name = "{0}")
    @MethodSource("v006")
    void rawCodecBuildsEvery006CaseExactly(Case c) {
        String token = AccessTokenCodec.encode(c.appId(), c.certificate(), c.legacyChannel(), c.legacyUid(),
                c.num("salt"), c.num("ts"), c.legacyPrivileges());

        assertBuilt006(c, token);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("issuer006")
    void issuerBuildsEveryAgoraValid006CaseAndRejectsANeverExpiringPrivilege(Case c) {
        TokenIssuer issuer = issuer(c.num("issueTsForReference"), c.num("salt"), TokenLimits.agoraDefault());
        AppCredentials app = new AppCredentials(c.appId(), c.certificate());
        if (c.num("privilegeExpiredTs") == 0) {
            assertThatThrownBy(() -> issueLegacy(issuer, app, c)).isInstanceOfSatisfying(InvalidTokenInputException.class,
                    e -> assertThat(e.field()).isEqualTo("privilegeExpireTs"));
        } else {
            assertBuilt006(c, issueLegacy(issuer, app, c));
        }
    }

    private static String issueLegacy(TokenIssuer issuer, AppCredentials app, Case c) {
        long privilegeExpiredTs = c.num("privilegeExpiredTs");
        return switch (c.kind()) {
            case "rtc_uid", "rtc_account" -> issuer.issueLegacyRtc(app, c.str("channel"),
                    c.has("uid") ? RtcIdentity.uid(c.num("uid")) : RtcIdentity.account(c.str("account")),
                    legacyRole(c.num("role")), privilegeExpiredTs);
            case "rtm" -> issuer.issueLegacyRtm(app, c.str("userAccount"), privilegeExpiredTs);
            default -> throw new IllegalArgumentException(c.kind());
        };
    }

    private static LegacyRole legacyRole(long agoraValue) {
        for (LegacyRole role : LegacyRole.values()) {
            if (role.agoraValue() == agoraValue) {
                return role;
            }
        }
        throw new IllegalArgumentException("006 role " + agoraValue);
    }

    private static void assertBuilt006(Case c, String token) {
        assertThat(token).isEqualTo(c.field("expectedToken"));
        byte[] content = java.util.Base64.getDecoder().decode(token.substring(35));
        assertThat(hex(Arrays.copyOfRange(content, 2, 34))).isEqualTo(c.field("signatureHex"));
        // bytes(message) ends the content: u16 length, then the message.
        assertThat(hex(Arrays.copyOfRange(content, 44, content.length))).isEqualTo(c.field("messageHex"));
    }

    // ---- parse and verify, every token string of every case ----

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyTokenString")
    void everyTokenStringParsesToTheDecodedFieldsAndVerifiesOnlyWithItsCertificate(String label, Case c, String token) {
        DecodedToken decoded = Tokens.decode(token);

        assertThat(decoded.version()).isEqualTo(c.version());
        assertThat(decoded.appId()).isEqualTo(c.appId());
        if (decoded instanceof ParsedAccessToken2 parsed) {
            assertThat(TokenVectors.toJson(parsed.content())).isEqualTo(c.decoded());
            assertThat(parsed.unknownServiceType()).isEmpty();
            assertThat(hex(parsed.signature())).isEqualTo(c.field("signatureHex"));
            assertThat(hex(parsed.signingInfo())).isEqualTo(c.field("signingInfoHex"));
            assertThat(parsed.verify(c.certificate())).isTrue();
            assertThat(parsed.verify(WRONG_CERTIFICATE)).isFalse();
            assertThat(parsed.verify(c.certificate().toLowerCase())).isEqualTo(c.certificate().equals(c.certificate().toLowerCase()));
            assertThat(parsed.verifyingCertificate(List.of(WRONG_CERTIFICATE, c.certificate()))).contains(c.certificate());
            assertThat(parsed.expiresAt()).isEqualTo(Instant.ofEpochSecond(c.decoded().get("issueTs").getAsLong()
                    + c.decoded().get("expire").getAsLong()));
            // The same call through the 007 codec directly.
            assertThat(AccessToken2Codec.decode(token)).isEqualTo(parsed);
        } else {
            ParsedAccessToken parsed = (ParsedAccessToken) decoded;
            JsonObject expected = c.decoded().deepCopy();
            String channel = expected.remove("signedChannel").getAsString();
            String uid = expected.remove("signedUid").getAsString();
            assertThat(TokenVectors.toJson(parsed.content())).isEqualTo(expected);
            assertThat(hex(parsed.signature())).isEqualTo(c.field("signatureHex"));
            assertThat(parsed.matches(channel, uid)).isTrue();
            assertThat(parsed.verify(c.certificate(), channel, uid)).isTrue();
            assertThat(parsed.verify(WRONG_CERTIFICATE, channel, uid)).isFalse();
            assertThat(parsed.verify(c.certificate(), channel + "x", uid)).isFalse();
            assertThat(parsed.verify(c.certificate(), channel, uid + "1")).isFalse();
            assertThat(parsed.expiresAt()).isEqualTo(Instant.ofEpochSecond(c.decoded().get("ts").getAsLong()));
            assertThat(AccessTokenCodec.decode(token)).isEqualTo(parsed);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("v007")
    void aTamperedSignedFieldNoLongerVerifies(Case c) {
        byte[] content = TokenVectors.unhex(c.field("uncompressedHex"));
        // Change one character of the signed App ID ('9' -> '8', still parseable) and re-compress.
        content[36] ^= 0x01;
        String tampered = "007" + java.util.Base64.getEncoder().encodeToString(TokenVectors.jdkDeflate(content));

        ParsedAccessToken2 parsed = AccessToken2Codec.decode(tampered);

        assertThat(parsed.verify(c.certificate())).isFalse();
    }
}
