package io.tokenservice.core.token;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenservice.core.issue.ApaasTokenRequest;
import io.tokenservice.core.issue.IssuedToken;
import io.tokenservice.core.issue.RtcIdentity;
import io.tokenservice.core.issue.RtcRole;
import io.tokenservice.core.issue.RtcTokenRequest;
import io.tokenservice.core.issue.Rtm2TokenRequest;
import io.tokenservice.core.issue.RtmTokenRequest;
import io.tokenservice.core.issue.SaltSource;
import io.tokenservice.core.issue.TokenIssuer;
import io.tokenservice.core.issue.TokenLimits;
import io.tokenservice.core.testing.TokenVectors;
import io.tokenservice.core.wire.Zlib;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Token length: whatever the content, small or large, the token is never more than
 * {@link Zlib#MAX_EXCESS_BYTES} longer than the one zlib's default deflate (the JDK
 * {@link java.util.zip.Deflater}, as Agora's Java, Python and C++ builders use it) makes, and nearly
 * always it is that very token. Contents of many sizes and alphabets come from seeded generators
 * through the real builders.
 */
class TokenSizeTest {
    private static final String AGORA_CHARSET =
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 !#$%&()+-:;<=.>?@[]^_{}|~,";
    /** Narrow alphabets (digits, hex, two letters) are where a dynamic Huffman code pays most. */
    private static final String[] ALPHABETS = {AGORA_CHARSET, "0123456789", "0123456789abcdef", "ab",
        "abcdefghijklmnopqrstuvwxyz"};

    private final SplittableRandom random = new SplittableRandom(0x5172E);
    private int tokens;
    private int identical;

    /**
     * Agora's Java test {@code largeRtm2PermissionPayload}: 160 users "resource-0000".. with read
     * access. Its content is 2,513 bytes; zlib's dynamic block makes a 473-byte stream where a fixed
     * Huffman block, all this core wrote before, takes 682 (checked with Python's zlib and Z_FIXED).
     */
    @Test
    void anRtm2TokenWith160ResourcesIsAsShortAsZlibMakesIt() {
        List<String> resources = new ArrayList<>();
        for (int i = 0; i < 160; i++) {
            resources.add(String.format("resource-%04d", i));
        }
        TokenIssuer issuer = issuer(1_111_111, 1);
        IssuedToken token = issuer.issueRtm2(new AppCredentials("970CA35de60c44645bbae8a215061b33",
                "5CFd2fd1755d40ecb72977518be15d3b"), new Rtm2TokenRequest("test_user", 600, List.of(
                        Rtm2TokenRequest.permission(Rtm2TokenRequest.ResourceType.USERS, Rtm2TokenRequest.Access.READ,
                                resources))));

        byte[] content = TokenVectors.inflate007(token.token());
        byte[] compressed = Base64.getDecoder().decode(token.token().substring(3));
        assertThat(content).hasSize(2513);
        assertThat(compressed).hasSize(473).isEqualTo(TokenVectors.jdkDeflate(content));
    }

    @Test
    void rtm2TokensOfEverySizeAreZlibsLength() {
        for (int i = 0; i < 600; i++) {
            String alphabet = ALPHABETS[random.nextInt(ALPHABETS.length)];
            // Up to 250 resources of up to 40 characters: contents from ~100 bytes to past the 8 KiB the
            // core's own deflater takes (beyond it, the JDK's), tokens within what a decoder accepts.
            int count = i % 10 == 0 ? random.nextInt(250) : random.nextInt(120);
            List<Rtm2TokenRequest.Permission> permissions = new ArrayList<>();
            List<String> resources = new ArrayList<>();
            String prefix = random.nextBoolean() ? "" : text(AGORA_CHARSET, 1, 12);
            for (int r = 0; r < count; r++) {
                resources.add(prefix + text(alphabet, 1, 40 - prefix.length()));
            }
            if (!resources.isEmpty()) {
                permissions.add(Rtm2TokenRequest.permission(
                        Rtm2TokenRequest.ResourceType.values()[random.nextInt(5)],
                        Rtm2TokenRequest.Access.values()[random.nextInt(2)], resources));
            }
            assertIsZlibsStream(issuer(random.nextLong(1L << 32), 1 + random.nextLong(0xFFFF_FFFEL))
                    .issueRtm2(app(), new Rtm2TokenRequest(rtmUserId(), 1 + random.nextInt(86_400), permissions)));
        }
    }

    @Test
    void rtcRtmAndApaasTokensOfEverySizeAreZlibsLength() {
        for (int i = 0; i < 3000; i++) {
            String alphabet = ALPHABETS[random.nextInt(ALPHABETS.length)];
            TokenIssuer issuer = issuer(random.nextLong(1L << 32), 1 + random.nextLong(0xFFFF_FFFEL));
            long ttl = 1 + random.nextInt(86_400);
            String channel = text(alphabet, 1, 64);
            IssuedToken token = switch (random.nextInt(3)) {
                case 0 -> issuer.issueRtc(app(), RtcTokenRequest.of(channel,
                        RtcIdentity.account(text(alphabet, 0, 255)), RtcRole.PUBLISHER, ttl));
                case 1 -> {
                    String user = rtmUserId();
                    yield issuer.issueRtc(app(), RtcTokenRequest.of(channel, RtcIdentity.account(user),
                            RtcRole.SUBSCRIBER, ttl).withRtm(new RtmTokenRequest(user, ttl)));
                }
                default -> issuer.issueApaas(app(), ApaasTokenRequest.roomUser(channel, rtmUserId(),
                        (short) random.nextInt(5), ttl));
            };
            assertIsZlibsStream(token);
        }
    }

    /**
     * Contents up to 176 bytes keep the fixed code without weighing a dynamic block, so here the
     * tolerance rests on this test: short tokens of every kind whose names use the narrowest
     * alphabets, where a dynamic block pays most (a few in a hundred are longer than zlib's).
     */
    @Test
    void shortTokensWithNarrowAlphabetsAreAtMostTheToleranceLonger() {
        String[] narrow = {"01", "ab", "aab", "abc", "0123456789", "0123456789abcdef", "-_.", "xyz "};
        int shortTokens = 0;
        int longer = 0;
        for (int i = 0; i < 20_000; i++) {
            String alphabet = narrow[random.nextInt(narrow.length)];
            TokenIssuer issuer = issuer(random.nextLong(1L << 32), 1 + random.nextLong(0xFFFF_FFFEL));
            long ttl = 1 + random.nextInt(86_400);
            String name = "c" + text(alphabet, 0, 63).strip();
            String user = "u" + text(alphabet, 0, 63).strip();
            IssuedToken token = switch (random.nextInt(5)) {
                case 0 -> issuer.issueRtc(app(), RtcTokenRequest.of(name, RtcIdentity.account(text(alphabet, 0, 120)),
                        RtcRole.PUBLISHER, ttl));
                case 1 -> issuer.issueRtc(app(), RtcTokenRequest.of(name, RtcIdentity.account(user), RtcRole.SUBSCRIBER,
                        ttl).withRtm(new RtmTokenRequest(user, ttl)));
                case 2 -> issuer.issueRtm(app(), new RtmTokenRequest(user, ttl));
                case 3 -> issuer.issueApaas(app(), ApaasTokenRequest.user(user, ttl));
                default -> issuer.issueRtm2(app(), new Rtm2TokenRequest(user, ttl, List.of(Rtm2TokenRequest.permission(
                        Rtm2TokenRequest.ResourceType.MESSAGE_CHANNELS, Rtm2TokenRequest.Access.WRITE,
                        List.of("c" + text(alphabet, 0, 30), "d" + text(alphabet, 0, 30))))));
            };
            byte[] content = TokenVectors.inflate007(token.token());
            if (content.length <= 176) {
                shortTokens++;
                byte[] compressed = Base64.getDecoder().decode(token.token().substring(3));
                byte[] zlib = TokenVectors.jdkDeflate(content);
                assertThat(compressed.length).as("token of %d content bytes", content.length)
                        .isLessThanOrEqualTo(zlib.length + Zlib.MAX_EXCESS_BYTES);
                if (!Arrays.equals(compressed, zlib)) {
                    longer++;
                }
            }
        }
        assertThat(shortTokens).isGreaterThan(10_000);
        assertThat(longer).isLessThan(shortTokens / 20);
    }

    /** Never more than the tolerance longer; counts the tokens that are zlib's exactly. */
    private void assertIsZlibsStream(IssuedToken token) {
        byte[] compressed = Base64.getDecoder().decode(token.token().substring(3));
        byte[] content = TokenVectors.inflate007(token.token());
        byte[] zlib = TokenVectors.jdkDeflate(content);
        assertThat(compressed.length).as("token of %d content bytes", content.length)
                .isLessThanOrEqualTo(zlib.length + Zlib.MAX_EXCESS_BYTES);
        tokens++;
        if (Arrays.equals(compressed, zlib)) {
            identical++;
        }
    }

    @AfterEach
    void nearlyEveryTokenIsZlibsExactly() {
        assertThat(identical).as("tokens identical to zlib's").isGreaterThanOrEqualTo(tokens * 99 / 100);
    }

    private static TokenIssuer issuer(long issueTs, long salt) {
        return new TokenIssuer(Clock.fixed(Instant.ofEpochSecond(issueTs), ZoneOffset.UTC), SaltSource.fixed(salt),
                TokenLimits.agoraDefault());
    }

    private AppCredentials app() {
        return new AppCredentials(text("0123456789abcdef", 32, 32), text("0123456789abcdef", 32, 32));
    }

    private String rtmUserId() {
        return "u" + text(AGORA_CHARSET, 0, 63);
    }

    private String text(String alphabet, int min, int max) {
        StringBuilder text = new StringBuilder();
        for (int i = min + random.nextInt(max - min + 1); i > 0; i--) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }
}
