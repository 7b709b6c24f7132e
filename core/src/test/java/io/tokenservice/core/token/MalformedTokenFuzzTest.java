package io.tokenservice.core.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.tokenservice.core.testing.TokenVectors;
import io.tokenservice.core.testing.TokenVectors.Case;
import io.tokenservice.core.wire.Zlib;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded fuzzing of the decoders with mutated valid tokens. Whatever the input, decoding either
 * succeeds or throws {@link MalformedTokenException}; nothing else comes out (no index, null-pointer,
 * illegal-argument, out-of-memory error) and nothing hangs. When a mutated token still decodes, its
 * signature holds exactly when the signed bytes are the original ones. Most mutations are made to
 * the decompressed content and compressed again, so they reach the field parser past zlib.
 */
class MalformedTokenFuzzTest {
    private static final int CASES = 120_000;
    private static final long SEED = 0x5EED_F022L;

    enum Mutation {
        FLIP_TOKEN_CHARS, FLIP_COMPRESSED_BITS, FLIP_CONTENT_BITS, SET_CONTENT_BYTES, TRUNCATE_CONTENT,
        EXTEND_CONTENT, OVERSIZE_LENGTH_PREFIX, UNKNOWN_SERVICE_TYPE, HUGE_COUNT, DELETE_CONTENT_RANGE,
        DUPLICATE_CONTENT_RANGE, RANDOM_CONTENT, RANDOM_COMPRESSED, TRUNCATE_TOKEN, BAD_BASE64, ZLIB_BOMB,
        RANDOM_STRING, LEGACY_CONTENT, LEGACY_STRING
    }

    /** A valid token with what is needed to judge a mutant of it. */
    private record Seed(String token, byte[] content, String certificate, String channel, String uid) {
        boolean legacy() {
            return token.startsWith("006");
        }
    }

    private final SplittableRandom random = new SplittableRandom(SEED);
    private final Deflater deflater = new Deflater();
    private final Map<Mutation, int[]> outcomes = new EnumMap<>(Mutation.class);
    private final List<String> failures = new ArrayList<>();
    private byte[][] bombs;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void mutatedTokensFailOnlyWithMalformedTokenException() {
        List<Seed> seeds = seeds();
        bombs = new byte[][] {
            compress(new byte[Zlib.MAX_INFLATED_BYTES + 1]),
            compress(new byte[10 * 1024 * 1024]),
            compress(bombWithValidPrefix(seeds.get(0).content(), 1024 * 1024)),
        };
        Mutation[] mutations = Mutation.values();
        Mutation[] legacyMutations = {Mutation.LEGACY_CONTENT, Mutation.LEGACY_STRING, Mutation.TRUNCATE_TOKEN,
            Mutation.BAD_BASE64, Mutation.RANDOM_STRING};
        Mutation[] mutations007 = Arrays.stream(mutations)
                .filter(m -> m != Mutation.LEGACY_CONTENT && m != Mutation.LEGACY_STRING).toArray(Mutation[]::new);
        long slowest = 0;
        for (int i = 0; i < CASES; i++) {
            Seed seed = seeds.get(random.nextInt(seeds.size()));
            Mutation mutation = seed.legacy()
                    ? legacyMutations[random.nextInt(legacyMutations.length)]
                    : mutations007[random.nextInt(mutations007.length)];
            String mutant = mutate(seed, mutation);
            long start = System.nanoTime();
            check(i, seed, mutation, mutant);
            slowest = Math.max(slowest, System.nanoTime() - start);
            if (failures.size() > 20) {
                break;
            }
        }
        if (!failures.isEmpty()) {
            fail(failures.size() + " mutants broke the decoder contract (seed " + SEED + "):\n"
                    + String.join("\n", failures));
        }
        StringBuilder summary = new StringBuilder("fuzz outcomes (decoded/rejected):");
        outcomes.forEach((m, o) -> summary.append(' ').append(m).append('=').append(o[0]).append('/').append(o[1]));
        int total = outcomes.values().stream().mapToInt(o -> o[0] + o[1]).sum();
        assertThat(total).isEqualTo(CASES);
        // Every kind of mutation was exercised, and most of them were rejected as malformed.
        assertThat(outcomes.keySet()).as(summary.toString()).containsExactlyInAnyOrder(mutations);
        assertThat(outcomes.values().stream().mapToInt(o -> o[1]).sum()).as(summary.toString())
                .isGreaterThan(CASES / 2);
        // No single input took long (a quadratic path or a hang would show here first).
        assertThat(TimeUnit.NANOSECONDS.toMillis(slowest)).isLessThan(2_000);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void tenMegabytesOfGarbageIsRejectedQuickly() {
        byte[] bytes = new byte[10 * 1024 * 1024];
        random.nextBytes(bytes);
        String base64 = Base64.getEncoder().encodeToString(bytes);
        String latin1 = new String(bytes, StandardCharsets.ISO_8859_1);
        for (String garbage : List.of("007" + base64, "006" + "970CA35de60c44645bbae8a215061b33" + base64,
                latin1, "007" + latin1, "   " + "007" + base64.substring(0, 10_000_000) + "   ")) {
            assertRejected(() -> Tokens.decode(garbage));
            assertRejected(() -> AccessToken2Codec.decode(garbage));
            assertRejected(() -> AccessTokenCodec.decode(garbage));
        }
    }

    @Test
    void zlibBombsAreCutOffAtTheInflateCap() {
        // About the largest expansion a token under the length limit can carry: ~10 KB inflating to 10 MB.
        for (byte[] bomb : List.of(compress(new byte[Zlib.MAX_INFLATED_BYTES + 1]), compress(new byte[10 * 1024 * 1024]))) {
            String token = "007" + Base64.getEncoder().encodeToString(bomb);
            assertThat(token.length()).isLessThan(AccessToken2Codec.MAX_TOKEN_CHARS);
            assertRejected(() -> AccessToken2Codec.decode(token));
        }
        // A bigger bomb does not even fit in a token.
        String tooLong = "007" + Base64.getEncoder().encodeToString(compress(new byte[50 * 1024 * 1024]));
        assertThat(tooLong.length()).isGreaterThan(AccessToken2Codec.MAX_TOKEN_CHARS);
        assertRejected(() -> AccessToken2Codec.decode(tooLong));
        // The cap itself, one byte past it, and exactly at it (inflated; the field parser then rejects it).
        try {
            Zlib.inflate(compress(new byte[Zlib.MAX_INFLATED_BYTES + 1]));
            fail("inflated past the cap");
        } catch (MalformedTokenException expected) {
            assertThat(expected.getMessage()).contains(Integer.toString(Zlib.MAX_INFLATED_BYTES));
        }
        assertThat(Zlib.MAX_INFLATED_BYTES).isEqualTo(64 * 1024);
        byte[] atCap = new byte[Zlib.MAX_INFLATED_BYTES];
        assertThat(Zlib.inflate(compress(atCap))).hasSize(Zlib.MAX_INFLATED_BYTES);
    }

    private static void assertRejected(Runnable decode) {
        try {
            decode.run();
            fail("garbage decoded");
        } catch (MalformedTokenException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    private void check(int index, Seed seed, Mutation mutation, String mutant) {
        int[] outcome = outcomes.computeIfAbsent(mutation, m -> new int[2]);
        DecodedToken decoded;
        try {
            decoded = random.nextBoolean() ? Tokens.decode(mutant)
                    : seed.legacy() ? AccessTokenCodec.decode(mutant) : AccessToken2Codec.decode(mutant);
        } catch (MalformedTokenException expected) {
            outcome[1]++;
            if (expected.getMessage() == null || expected.getMessage().isBlank()) {
                failures.add(describe(index, mutation, mutant, "MalformedTokenException without a reason"));
            }
            return;
        } catch (Throwable t) {
            outcome[1]++;
            failures.add(describe(index, mutation, mutant, t.toString()));
            return;
        }
        outcome[0]++;
        try {
            judgeAccepted(seed, decoded, mutant, index, mutation);
        } catch (Throwable t) {
            failures.add(describe(index, mutation, mutant, "after decoding: " + t));
        }
    }

    /** A mutant that decodes verifies exactly when its signed bytes are the seed's. */
    private void judgeAccepted(Seed seed, DecodedToken decoded, String mutant, int index, Mutation mutation) {
        decoded.expiresAt();
        decoded.appId();
        if (decoded instanceof ParsedAccessToken2 parsed) {
            parsed.content().services().forEach(s -> s.name());
            boolean sameSignedBytes = Arrays.equals(content007(mutant), seed.content());
            if (parsed.verify(seed.certificate()) != sameSignedBytes) {
                failures.add(describe(index, mutation, mutant, "verify() = " + !sameSignedBytes
                        + " although the signed bytes are " + (sameSignedBytes ? "unchanged" : "changed")));
            }
            if (parsed.verify("0123456789abcdef0123456789abcdef")) {
                failures.add(describe(index, mutation, mutant, "verified with a wrong certificate"));
            }
        } else {
            ParsedAccessToken parsed = (ParsedAccessToken) decoded;
            if (!seed.legacy()) {
                parsed.verify(seed.certificate(), "", "");
                return;
            }
            String token = mutant.strip();
            boolean same = token.substring(0, 35).equals(seed.token().substring(0, 35))
                    && Arrays.equals(Base64.getDecoder().decode(token.substring(35)), seed.content());
            if (parsed.verify(seed.certificate(), seed.channel(), seed.uid()) != same) {
                failures.add(describe(index, mutation, mutant, "006 verify() disagrees with the content"));
            }
        }
    }

    private static String describe(int index, Mutation mutation, String mutant, String what) {
        String shown = mutant.length() > 120 ? mutant.substring(0, 120) + "...(" + mutant.length() + " chars)" : mutant;
        return "case " + index + " " + mutation + ": " + what + " <- " + shown;
    }

    // ---- seeds ----

    private List<Seed> seeds() {
        List<Seed> seeds = new ArrayList<>();
        for (Case c : TokenVectors.all()) {
            for (String token : c.tokenStrings().values()) {
                if (c.version().equals("007")) {
                    seeds.add(new Seed(token, TokenVectors.inflate007(token), c.certificate(), null, null));
                } else {
                    seeds.add(new Seed(token, Base64.getDecoder().decode(token.substring(35)), c.certificate(),
                            c.decoded().get("signedChannel").getAsString(), c.decoded().get("signedUid").getAsString()));
                }
            }
        }
        return seeds;
    }

    // ---- mutations ----

    private String mutate(Seed seed, Mutation mutation) {
        byte[] content = seed.content().clone();
        return switch (mutation) {
            case FLIP_TOKEN_CHARS -> {
                char[] chars = seed.token().toCharArray();
                for (int n = 1 + random.nextInt(3); n > 0; n--) {
                    int at = random.nextInt(chars.length);
                    chars[at] = (char) (chars[at] ^ (1 << random.nextInt(8)));
                }
                yield new String(chars);
            }
            case FLIP_COMPRESSED_BITS -> {
                byte[] compressed = Base64.getDecoder().decode(seed.token().substring(3));
                flipBits(compressed, 1 + random.nextInt(3));
                yield "007" + Base64.getEncoder().encodeToString(compressed);
            }
            case FLIP_CONTENT_BITS -> {
                flipBits(content, 1 + random.nextInt(4));
                yield token007(content);
            }
            case SET_CONTENT_BYTES -> {
                for (int n = 1 + random.nextInt(3); n > 0; n--) {
                    content[random.nextInt(content.length)] = (byte) pickInt(0x00, 0xFF, 0x7F, 0x80, 0x20, random.nextInt(256));
                }
                yield token007(content);
            }
            case TRUNCATE_CONTENT -> token007(Arrays.copyOf(content, random.nextInt(content.length)));
            case EXTEND_CONTENT -> {
                byte[] longer = Arrays.copyOf(content, content.length + 1 + random.nextInt(64));
                for (int i = content.length; i < longer.length; i++) {
                    longer[i] = (byte) random.nextInt(256);
                }
                yield token007(longer);
            }
            case OVERSIZE_LENGTH_PREFIX -> {
                // A u16 at a field boundary (signature, app id, or anywhere) set past what remains.
                int at = pickInt(0, 34, random.nextInt(Math.max(1, content.length - 1)));
                int value = pickInt(0xFFFF, content.length - at, content.length - at - 1, 33, 31, random.nextInt(0x10000));
                writeU16(content, at, value);
                yield token007(content);
            }
            case UNKNOWN_SERVICE_TYPE -> {
                int at = serviceTypeOffset(content);
                writeU16(content, at, pickInt(0, 11, 0xFFFF, 11 + random.nextInt(0xFFFF - 11)));
                yield token007(content);
            }
            case HUGE_COUNT -> {
                // The service count, or a privilege count, set to a huge value.
                int serviceCount = serviceTypeOffset(content) - 2;
                writeU16(content, random.nextBoolean() ? serviceCount : serviceCount + 4,
                        pickInt(0xFFFF, 0x8000, 2 + random.nextInt(0xFFFE)));
                yield token007(content);
            }
            case DELETE_CONTENT_RANGE -> {
                int from = random.nextInt(content.length);
                int to = from + 1 + random.nextInt(Math.min(16, content.length - from));
                byte[] shorter = new byte[content.length - (to - from)];
                System.arraycopy(content, 0, shorter, 0, from);
                System.arraycopy(content, to, shorter, from, content.length - to);
                yield token007(shorter);
            }
            case DUPLICATE_CONTENT_RANGE -> {
                int from = random.nextInt(content.length);
                int length = 1 + random.nextInt(Math.min(16, content.length - from));
                byte[] longer = new byte[content.length + length];
                System.arraycopy(content, 0, longer, 0, from + length);
                System.arraycopy(content, from, longer, from + length, content.length - from);
                yield token007(longer);
            }
            case RANDOM_CONTENT -> {
                byte[] bytes = new byte[random.nextInt(400)];
                random.nextBytes(bytes);
                if (bytes.length >= 2 && random.nextBoolean()) {
                    writeU16(bytes, 0, 32); // looks like a signature length
                }
                yield token007(bytes);
            }
            case RANDOM_COMPRESSED -> {
                byte[] bytes = new byte[random.nextInt(300)];
                random.nextBytes(bytes);
                if (bytes.length >= 2) {
                    bytes[0] = 0x78;
                    bytes[1] = (byte) 0x9C;
                }
                yield "007" + Base64.getEncoder().encodeToString(bytes);
            }
            case TRUNCATE_TOKEN -> seed.token().substring(0, random.nextInt(seed.token().length()));
            case BAD_BASE64 -> badBase64(seed.token());
            case ZLIB_BOMB -> "007" + Base64.getEncoder().encodeToString(bombs[random.nextInt(bombs.length)]);
            case RANDOM_STRING -> {
                StringBuilder text = new StringBuilder(pick("007", "006", "", "005", " 007"));
                for (int n = random.nextInt(300); n > 0; n--) {
                    text.append((char) (random.nextInt(4) == 0 ? random.nextInt(0x10000) : 0x20 + random.nextInt(0x5F)));
                }
                yield text.toString();
            }
            case LEGACY_CONTENT -> {
                switch (random.nextInt(4)) {
                    case 0 -> flipBits(content, 1 + random.nextInt(3));
                    case 1 -> content = Arrays.copyOf(content, random.nextInt(content.length + 8));
                    case 2 -> writeU16(content, pickInt(0, 42, random.nextInt(content.length - 1)), pickInt(0xFFFF, random.nextInt(0x10000)));
                    default -> writeU16(content, 52, pickInt(0xFFFF, random.nextInt(0x10000))); // privilege count
                }
                yield seed.token().substring(0, 35) + Base64.getEncoder().encodeToString(content);
            }
            case LEGACY_STRING -> {
                String token = seed.token();
                yield switch (random.nextInt(3)) {
                    case 0 -> token.substring(0, random.nextInt(token.length()));
                    case 1 -> badBase64(token);
                    default -> {
                        char[] chars = token.toCharArray();
                        int at = random.nextInt(chars.length);
                        chars[at] = (char) (chars[at] ^ (1 << random.nextInt(7)));
                        yield new String(chars);
                    }
                };
            }
        };
    }

    private String badBase64(String token) {
        int prefix = token.startsWith("006") ? 35 : 3;
        StringBuilder text = new StringBuilder(token);
        switch (random.nextInt(5)) {
            case 0 -> text.insert(prefix + random.nextInt(text.length() - prefix + 1),
                    pick("-", "_", "*", " ", "\n", "=", "é", "\u0000", "%"));
            case 1 -> {
                while (text.length() > prefix && text.charAt(text.length() - 1) == '=') {
                    text.setLength(text.length() - 1);
                }
                text.setLength(Math.max(prefix, text.length() - random.nextInt(3)));
            }
            case 2 -> text.append(pick("=", "==", "===", "A", "AB="));
            case 3 -> {
                for (int i = prefix; i < text.length(); i++) {
                    if (text.charAt(i) == '+') {
                        text.setCharAt(i, '-');
                    } else if (text.charAt(i) == '/') {
                        text.setCharAt(i, '_');
                    }
                }
                text.append('-');
            }
            default -> text.setLength(prefix);
        }
        return text.toString();
    }

    /** Where the first service type sits: after bytes(signature), string(appId) and three u32. */
    private static int serviceTypeOffset(byte[] content) {
        int appIdLength = (content[34] & 0xFF) | (content[35] & 0xFF) << 8;
        return 2 + 32 + 2 + appIdLength + 12 + 2;
    }

    private void flipBits(byte[] bytes, int count) {
        if (bytes.length == 0) {
            return;
        }
        for (int n = 0; n < count; n++) {
            bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
        }
    }

    private static void writeU16(byte[] bytes, int at, int value) {
        if (at >= 0 && at + 1 < bytes.length) {
            bytes[at] = (byte) value;
            bytes[at + 1] = (byte) (value >>> 8);
        }
    }

    @SafeVarargs
    private <T> T pick(T... choices) {
        return choices[random.nextInt(choices.length)];
    }

    private int pickInt(int... choices) {
        return choices[random.nextInt(choices.length)];
    }

    private String token007(byte[] content) {
        return "007" + Base64.getEncoder().encodeToString(compress(content));
    }

    private byte[] compress(byte[] content) {
        deflater.reset();
        deflater.setInput(content);
        deflater.finish();
        byte[] out = new byte[content.length / 2 + 64];
        int written = 0;
        while (!deflater.finished()) {
            if (written == out.length) {
                out = Arrays.copyOf(out, out.length * 2);
            }
            written += deflater.deflate(out, written, out.length - written);
        }
        return Arrays.copyOf(out, written);
    }

    private static byte[] bombWithValidPrefix(byte[] content, int size) {
        return Arrays.copyOf(content, size);
    }

    /** The decompressed bytes of a 007 token that decoded (so they are valid base64 and zlib). */
    private static byte[] content007(String token) {
        return TokenVectors.inflate007(token.strip());
    }
}
