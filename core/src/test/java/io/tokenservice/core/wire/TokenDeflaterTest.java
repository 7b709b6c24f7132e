package io.tokenservice.core.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tokenservice.core.issue.ChatTokenRequest;
import io.tokenservice.core.issue.RtcIdentity;
import io.tokenservice.core.issue.RtcRole;
import io.tokenservice.core.issue.RtcTokenRequest;
import io.tokenservice.core.issue.RtmTokenRequest;
import io.tokenservice.core.issue.SaltSource;
import io.tokenservice.core.issue.TokenIssuer;
import io.tokenservice.core.issue.TokenLimits;
import io.tokenservice.core.testing.TokenVectors;
import io.tokenservice.core.token.AppCredentials;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Differential tests against the JDK's {@link java.util.zip.Deflater} (zlib at its defaults, a fresh
 * stream per input, as the reference builders use it). Wherever zlib chooses a fixed Huffman or a
 * stored block, our output must be the same bytes; where it chooses a dynamic block, ours must have
 * declined (and {@link Zlib} then gives zlib's bytes) or, where a dynamic block saves at most
 * {@link Zlib#MAX_EXCESS_BYTES}, be the fixed or stored block; everywhere it must inflate back.
 */
class TokenDeflaterTest {
    private static final int TOKEN_CASES = 40_000;
    private static final int BINARY_CASES = 20_000;
    private static final String AGORA_CHARSET =
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&()+-:;<=.>?@[]^_{|}~, ";

    /** {@link #compareWithZlib}'s answers besides zlib's block type: a little longer, or declined. */
    private static final int LONGER = 3;
    private static final int DECLINED = 4;

    /** One instance for a whole test, so every call also proves the previous one left nothing behind. */
    private final TokenDeflater deflater = new TokenDeflater();

    @Test
    void tokenContentsCompressAsZlib() {
        SplittableRandom random = new SplittableRandom(0x70CE);
        int[] outcomes = new int[5];
        for (int i = 0; i < TOKEN_CASES; i++) {
            byte[] content = TokenVectors.inflate007(randomToken(random));
            outcomes[compareWithZlib(content, "token case " + i, true)]++;
        }
        // zlib's dynamic block wins only for some long-account tokens (150 of these 40,000): for all but
        // a few of those (short contents, written with the fixed code) the deflater declines, and for
        // some more where only zlib can tell (999 declines in all); 38,999 are written here, exactly.
        assertThat(outcomes[TokenVectors.FIXED_HUFFMAN_BLOCK]).isGreaterThanOrEqualTo(TOKEN_CASES * 97 / 100);
        assertThat(outcomes[TokenVectors.DYNAMIC_HUFFMAN_BLOCK]).isZero();
        assertThat(outcomes[DECLINED]).isBetween(100, TOKEN_CASES / 20);
        assertThat(outcomes[LONGER]).isLessThan(10);
    }

    @Test
    void arbitraryBytesUpToTheLimitCompressAsZlibWheneverItPicksFixedOrStored() {
        SplittableRandom random = new SplittableRandom(0xB17E5);
        int[] outcomes = new int[5];
        for (int i = 0; i < BINARY_CASES; i++) {
            outcomes[compareWithZlib(randomBytes(random, i), "binary case " + i, false)]++;
        }
        // The mix must exercise the exact comparison, not only the round trip, and the declines.
        assertThat(outcomes[TokenVectors.STORED_BLOCK]).isGreaterThan(BINARY_CASES / 40);
        assertThat(outcomes[TokenVectors.FIXED_HUFFMAN_BLOCK]).isGreaterThan(BINARY_CASES / 4);
        assertThat(outcomes[DECLINED]).isGreaterThan(BINARY_CASES / 4);
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 2, 3, 4, 257, 258, 259, 4096, 8191, 8192})
    void edgeLengthsOfOneRepeatedByteCompressExactlyAsZlib(int length) {
        byte[] input = new byte[length];
        Arrays.fill(input, (byte) 'a');
        compareWithZlib(input, length + " times 'a'", false);
    }

    @Test
    void aThreeByteMatchFurtherThan4096BackIsDroppedAsZlibDropsIt() {
        // Every byte value once in shuffled order, repeated: long matches at distance 256, and a
        // literal alphabet so wide that zlib keeps the fixed code. "xyz" never occurs in that cycle
        // except at 10 and at 4510, 4500 bytes later, where the only 3-byte match is too far back.
        byte[] cycle = new byte[256];
        for (int i = 0; i < 256; i++) {
            cycle[i] = (byte) i;
        }
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 255; i > 0; i--) {
            int j = random.nextInt(i + 1);
            byte swap = cycle[i];
            cycle[i] = cycle[j];
            cycle[j] = swap;
        }
        byte[] input = new byte[5000];
        for (int i = 0; i < input.length; i++) {
            input[i] = cycle[i % 256];
        }
        byte x = cycle[7];
        byte y = cycle[100];
        byte z = cycle[200];
        for (int at : new int[] {10, 4510}) {
            input[at] = x;
            input[at + 1] = y;
            input[at + 2] = z;
        }
        byte[] zlib = TokenVectors.jdkDeflate(input);
        assertThat((zlib[2] >> 1) & 3).as("zlib keeps the fixed code").isEqualTo(TokenVectors.FIXED_HUFFMAN_BLOCK);
        assertThat(deflater.deflate(input, input.length)).isEqualTo(zlib);
    }

    @Test
    void incompressibleInputBecomesAStoredBlockLikeZlibs() {
        byte[] input = new byte[600];
        new SplittableRandom(5).nextBytes(input);
        byte[] zlib = TokenVectors.jdkDeflate(input);
        assertThat((zlib[2] >> 1) & 3).as("zlib stores random bytes").isEqualTo(TokenVectors.STORED_BLOCK);
        assertThat(deflater.deflate(input, input.length)).isEqualTo(zlib);
    }

    @Test
    void ofTwoEquallyLongMatchesTheNearerOneIsTakenAsInZlib() {
        // Bytes below 144 (8-bit fixed codes) that never repeat, except one 4-byte motif written three
        // times: at the third, both earlier copies match as far, and zlib keeps the first it finds,
        // the nearer one.
        byte[] input = new byte[140];
        for (int i = 0; i < input.length; i++) {
            input[i] = (byte) i;
        }
        byte[] motif = {(byte) 140, (byte) 141, (byte) 142, (byte) 143};
        for (int at : new int[] {20, 60, 110}) {
            System.arraycopy(motif, 0, input, at, motif.length);
        }
        byte[] zlib = TokenVectors.jdkDeflate(input);
        assertThat((zlib[2] >> 1) & 3).as("zlib keeps the fixed code").isEqualTo(TokenVectors.FIXED_HUFFMAN_BLOCK);
        assertThat(deflater.deflate(input, input.length)).isEqualTo(zlib);
    }

    /**
     * 100 distinct bytes (so no match) cost 8 bits each below 144 and 9 above, plus 10 bits of block
     * header and end code: with 15 high bytes the fixed block is exactly 4 bytes longer than the
     * input, the size of a stored block's framing, and zlib stores on that tie; with 14 it does not.
     */
    @ParameterizedTest(name = "{0} bytes above 143")
    @ValueSource(ints = {14, 15})
    void aStoredBlockWinsATieWithTheFixedCodeAsInZlib(int highBytes) {
        byte[] input = new byte[100];
        for (int i = 0; i < input.length; i++) {
            input[i] = (byte) (i < highBytes ? 144 + i : i);
        }
        SplittableRandom random = new SplittableRandom(highBytes);
        for (int i = input.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            byte swap = input[i];
            input[i] = input[j];
            input[j] = swap;
        }
        byte[] zlib = TokenVectors.jdkDeflate(input);
        assertThat((zlib[2] >> 1) & 3).isEqualTo(highBytes == 15 ? TokenVectors.STORED_BLOCK : TokenVectors.FIXED_HUFFMAN_BLOCK);
        assertThat(deflater.deflate(input, input.length)).isEqualTo(zlib);
    }

    @Test
    void onlyThePrefixGivenIsCompressed() {
        byte[] input = "0123456789abcdef0123456789abcdef-and-more-that-must-not-count".getBytes();
        assertThat(Zlib.inflate(deflater.deflate(input, 32))).isEqualTo(Arrays.copyOf(input, 32));
    }

    @Test
    void inputOverTheLimitIsRefused() {
        byte[] input = new byte[TokenDeflater.MAX_INPUT + 1];
        assertThatThrownBy(() -> deflater.deflate(input, input.length))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void zlibSendsLongerInputToTheJdkDeflater() {
        byte[] input = new byte[TokenDeflater.MAX_INPUT + 1000];
        SplittableRandom random = new SplittableRandom(9);
        for (int i = 0; i < input.length; i++) {
            input[i] = (byte) ('a' + random.nextInt(4));
        }
        assertThat(Zlib.deflate(input, input.length)).isEqualTo(TokenVectors.jdkDeflate(input));
        assertThat(Zlib.inflate(Zlib.deflate(input, input.length))).isEqualTo(input);
    }

    /**
     * Asserts the round trip and equality with zlib, except where zlib wrote a dynamic block: then the
     * deflater declined (and {@link Zlib#deflate} gives zlib's stream), or wrote the fixed or stored
     * block, over {@link TokenDeflater#SMALL_INPUT} bytes only if that is at most
     * {@link Zlib#MAX_EXCESS_BYTES} longer, and up to that length, where no dynamic block is weighed,
     * only if {@code tokenContent} (arbitrary short bytes can gain more). Returns the type of zlib's
     * block, or {@link #LONGER} or {@link #DECLINED}.
     */
    private int compareWithZlib(byte[] input, String description, boolean tokenContent) {
        byte[] zlib = TokenVectors.jdkDeflate(input);
        byte[] ours = deflater.deflate(input, input.length);
        if (ours == null) {
            assertThat(input.length).as(description).isGreaterThan(TokenDeflater.SMALL_INPUT);
            assertThat(Zlib.deflate(input, input.length)).as(description).isEqualTo(zlib);
            return DECLINED;
        }
        assertThat(Zlib.inflate(ours)).as("%s inflates back", description).isEqualTo(input);
        int zlibBlock = (zlib[2] >> 1) & 3;
        if (zlibBlock == TokenVectors.DYNAMIC_HUFFMAN_BLOCK) {
            assertThat(ours.length).as(description).isGreaterThan(zlib.length);
            if (input.length > TokenDeflater.SMALL_INPUT || tokenContent) {
                assertThat(ours.length - zlib.length).as(description).isLessThanOrEqualTo(Zlib.MAX_EXCESS_BYTES);
            }
            return LONGER;
        }
        assertThat(ours).as("%s (zlib block type %d)", description, zlibBlock).isEqualTo(zlib);
        return zlibBlock;
    }

    private static String randomToken(SplittableRandom random) {
        Clock clock = Clock.fixed(Instant.ofEpochSecond(1_600_000_000L + random.nextInt(1 << 28)), ZoneOffset.UTC);
        TokenIssuer issuer = new TokenIssuer(clock, SaltSource.fixed(1 + random.nextLong(0xFFFF_FFFEL)),
                TokenLimits.agoraDefault());
        AppCredentials app = new AppCredentials(hex32(random), hex32(random));
        int ttl = 1 + random.nextInt(86_400);
        String channel = random.nextInt(3) == 0 ? hex32(random) : text(random, AGORA_CHARSET, 1, 64);
        return switch (random.nextInt(5)) {
            case 0 -> issuer.issueRtc(app, RtcTokenRequest.of(channel, RtcIdentity.uid(random.nextLong(1L << 32)),
                    random.nextBoolean() ? RtcRole.PUBLISHER : RtcRole.SUBSCRIBER, ttl)).token();
            case 1 -> issuer.issueRtc(app, RtcTokenRequest.of(channel,
                    RtcIdentity.account(text(random, AGORA_CHARSET, 1, random.nextInt(4) == 0 ? 255 : 24)),
                    RtcRole.PUBLISHER, ttl)).token();
            case 2 -> {
                String account = "u" + text(random, AGORA_CHARSET, 0, 30).strip();
                yield issuer.issueRtc(app, RtcTokenRequest.of(channel, RtcIdentity.account(account), RtcRole.PUBLISHER, ttl)
                        .withRtm(new RtmTokenRequest(account, ttl))).token();
            }
            case 3 -> issuer.issueRtm(app, new RtmTokenRequest("u" + text(random, AGORA_CHARSET, 0, 63).strip(), ttl))
                    .token();
            default -> issuer.issueChat(app, new ChatTokenRequest(random.nextInt(5) == 0 ? Optional.empty()
                    : Optional.of(text(random, "abcdefghijklmnopqrstuvwxyz0123456789_-.", 1, 64)), ttl)).token();
        };
    }

    /**
     * Lengths up to the limit over alphabets from one symbol to all 256; half of them carry motifs
     * copied many times with small changes, for long hash chains, lazy matches of every length and
     * matches past zlib's "nice" length. Wide alphabets keep zlib on the fixed code often enough to
     * compare bytes.
     */
    private static byte[] randomBytes(SplittableRandom random, int i) {
        int length = random.nextInt(i % 10 == 0 ? TokenDeflater.MAX_INPUT + 1 : 1200);
        int alphabet = 1 + random.nextInt(random.nextBoolean() ? 4 : 256);
        byte[] input = new byte[length];
        for (int k = 0; k < length; k++) {
            input[k] = (byte) random.nextInt(alphabet);
        }
        if (length > 40 && random.nextBoolean()) {
            int motifs = 1 + random.nextInt(4);
            for (int m = 0; m < motifs; m++) {
                int span = 3 + random.nextInt(Math.min(300, length / 4));
                int from = random.nextInt(length - span);
                int copies = 1 + random.nextInt(200);
                for (int c = 0; c < copies; c++) {
                    int to = random.nextInt(length - span + 1);
                    int copied = 3 + random.nextInt(span - 2);
                    System.arraycopy(input, from, input, to, Math.min(copied, length - to));
                }
            }
        }
        return input;
    }

    private static String hex32(SplittableRandom random) {
        return text(random, "0123456789abcdef", 32, 32);
    }

    private static String text(SplittableRandom random, String alphabet, int min, int max) {
        StringBuilder text = new StringBuilder();
        int length = min + random.nextInt(max - min + 1);
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }
}
