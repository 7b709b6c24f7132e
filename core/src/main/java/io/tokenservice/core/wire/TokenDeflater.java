package io.tokenservice.core.wire;

import java.util.Arrays;

/**
 * A zlib (RFC 1950) encoder for token-sized input: zlib's own level-6 match finder (the lazy matcher
 * with good/lazy/nice/chain = 8/16/128/128, 15 hash bits, a 32 KiB window) followed by one final
 * block with the fixed Huffman code of RFC 1951, or a stored block where zlib would store; so the
 * JDK's bytes exactly wherever zlib picks one of those, as it does for nearly every token.
 *
 * <p>Why not {@link java.util.zip.Deflater}: at a few hundred bytes, zlib spends most of its time
 * clearing its 64 KiB hash table and building Huffman trees it then throws away, and a token's
 * deflate costs more than its signature. A dynamic block's header does not pay off on short input,
 * but on longer input with few distinct bytes it can (a 160-resource RTM2 token: 473 bytes against
 * 682 with the fixed code). So over {@link #SMALL_INPUT} bytes the symbols are counted as they are
 * written, and where a lower bound of zlib's dynamic block ({@link DynamicBlockBound}) cannot show
 * that it would save at most {@link Zlib#MAX_EXCESS_BYTES}, {@link #deflate} declines and {@link Zlib}
 * asks zlib itself. Up to that length the fixed code is kept without counting: counting and bounding
 * would make the common token half again as slow, and on such short token contents zlib's dynamic
 * block saves at most a few bytes (see {@link Zlib#MAX_EXCESS_BYTES}).
 *
 * <p>Limited to {@link #MAX_INPUT} bytes, which keeps zlib's matcher on its simplest path, exactly
 * reproducible here: all input sits in the window at once, the window never slides, and every
 * symbol fits one block. {@link Zlib} sends longer input to the JDK.
 *
 * <p>Not thread-safe: {@link Zlib} keeps one per thread, so the tables are allocated once and only
 * the hash slots and symbol counts a call wrote are cleared afterwards.
 */
final class TokenDeflater {
    static final int MAX_INPUT = 8192;
    /** Input up to this long keeps the fixed (or stored) block without weighing a dynamic one. */
    static final int SMALL_INPUT = 176;
    /** A stored block's header byte (3 bits, padded) and its LEN and NLEN fields. */
    private static final int STORED_BLOCK_OVERHEAD = 5;

    private static final int GOOD_LENGTH = 8;
    private static final int MAX_LAZY = 16;
    private static final int NICE_LENGTH = 128;
    private static final int MAX_CHAIN = 128;
    /** zlib drops a 3-byte match further back than this: it would cost more than three literals. */
    private static final int TOO_FAR = 4096;
    private static final int MIN_MATCH = 3;
    private static final int MAX_MATCH = 258;
    /** memLevel 8 gives 15 hash bits; with a shift of 5 a hash covers exactly the last 3 bytes. */
    private static final int HASH_BITS = 15;
    private static final int HASH_MASK = (1 << HASH_BITS) - 1;
    private static final int HASH_SHIFT = 5;

    /** Fixed-code literal/length symbol (LSB-first bit pattern) and its bit count, per symbol 0..285. */
    private static final int[] LITERAL_BITS = new int[286];
    private static final int[] LITERAL_LENGTH = new int[286];
    /** For a match length minus 3: the length symbol's code followed by its extra bits, and the total count. */
    private static final int[] MATCH_BITS = new int[256];
    private static final int[] MATCH_LENGTH = new int[256];
    /** For a distance minus 1 below 8192: the 5-bit distance code followed by its extra bits, and the count. */
    private static final int[] DISTANCE_BITS = new int[MAX_INPUT];
    private static final int[] DISTANCE_LENGTH = new int[MAX_INPUT];
    /** For a match length minus 3: its literal/length symbol (257..285). */
    private static final short[] LENGTH_SYMBOL = new short[256];
    /** For a distance minus 1 below 8192: its distance code (0..25). */
    private static final byte[] DISTANCE_CODE = new byte[MAX_INPUT];
    private static final int END_OF_BLOCK = 256;

    static {
        for (int symbol = 0; symbol < 286; symbol++) {
            int length;
            int code;
            if (symbol < 144) {
                length = 8;
                code = 0x30 + symbol;
            } else if (symbol < 256) {
                length = 9;
                code = 0x190 + symbol - 144;
            } else if (symbol < 280) {
                length = 7;
                code = symbol - 256;
            } else {
                length = 8;
                code = 0xC0 + symbol - 280;
            }
            LITERAL_BITS[symbol] = reversed(code, length);
            LITERAL_LENGTH[symbol] = length;
        }
        int[] lengthExtra = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5};
        int base = 0;
        for (int code = 0; code < lengthExtra.length; code++) {
            for (int extra = 0; extra < 1 << lengthExtra[code]; extra++) {
                setMatch(base++, 257 + code, extra, lengthExtra[code]);
            }
        }
        // Length 258 has a symbol of its own (285) although code 284's range would reach it.
        setMatch(255, 285, 0, 0);
        int[] distanceExtra = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11};
        base = 0;
        for (int code = 0; code < distanceExtra.length && base < MAX_INPUT; code++) {
            for (int extra = 0; extra < 1 << distanceExtra[code]; extra++) {
                DISTANCE_BITS[base] = reversed(code, 5) | extra << 5;
                DISTANCE_LENGTH[base] = 5 + distanceExtra[code];
                DISTANCE_CODE[base] = (byte) code;
                base++;
            }
        }
    }

    private static void setMatch(int lengthMinus3, int symbol, int extra, int extraBits) {
        MATCH_BITS[lengthMinus3] = LITERAL_BITS[symbol] | extra << LITERAL_LENGTH[symbol];
        MATCH_LENGTH[lengthMinus3] = LITERAL_LENGTH[symbol] + extraBits;
        LENGTH_SYMBOL[lengthMinus3] = (short) symbol;
    }

    private static int reversed(int code, int length) {
        return Integer.reverse(code) >>> (32 - length);
    }

    /**
     * The input followed by MAX_MATCH zero bytes: the matcher compares up to that far past the data
     * (and clamps the result), and zeroing it as a fresh zlib stream does keeps the previous call's
     * bytes out of those comparisons.
     */
    private final byte[] window = new byte[MAX_INPUT + MAX_MATCH];
    /** Most recent position per hash, 0 meaning none (so, as in zlib, position 0 is never matched). */
    private final char[] head = new char[1 << HASH_BITS];
    private final char[] prev = new char[MAX_INPUT];
    /** Worst case: 2 header bytes, 9 bits per literal, 3 + 7 bits of block framing, 4 check bytes. */
    private final byte[] out = new byte[2 + MAX_INPUT * 9 / 8 + 2 + 4 + 8];
    private int outPos;
    private long bitBuffer;
    private int bitCount;
    private int matchStart;
    /** Whether {@link #compress} counts the symbols it writes: over {@link #SMALL_INPUT} bytes. */
    private boolean counting;
    /** How often each literal/length symbol and distance code was written, and which were. */
    private final int[] literalFrequency = new int[DynamicBlockBound.LITERAL_LENGTH_SYMBOLS];
    private final int[] distanceFrequency = new int[DynamicBlockBound.DISTANCE_CODES];
    private final long[] literalsUsed = new long[(DynamicBlockBound.LITERAL_LENGTH_SYMBOLS + 63) / 64];
    private final long[] distancesUsed = new long[1];
    private final DynamicBlockBound dynamicBlockBound = new DynamicBlockBound();

    /**
     * The complete zlib stream for {@code input[0, length)}, {@code length <= MAX_INPUT}; or null where
     * zlib's dynamic Huffman block might be more than {@link Zlib#MAX_EXCESS_BYTES} shorter than the
     * block written here, which only zlib itself can tell.
     */
    byte[] deflate(byte[] input, int length) {
        if (length > MAX_INPUT) {
            throw new IllegalArgumentException("input longer than " + MAX_INPUT + " bytes");
        }
        System.arraycopy(input, 0, window, 0, length);
        Arrays.fill(window, length, length + MAX_MATCH, (byte) 0);
        out[0] = 0x78; // deflate with a 32 KiB window
        out[1] = (byte) 0x9C; // default level; makes the 16-bit header a multiple of 31
        outPos = 2;
        bitBuffer = 0;
        bitCount = 0;
        matchStart = 0;
        counting = length > SMALL_INPUT;

        writeBits(0b011, 3); // final block, fixed Huffman code
        compress(length);
        writeBits(LITERAL_BITS[END_OF_BLOCK], LITERAL_LENGTH[END_OF_BLOCK]);
        flushBits();
        clearHashHeads(length);

        // zlib compares sizes in whole bytes including the 3 block-header bits, and stores on a tie
        // (although a stored block then takes a byte more).
        int fixedBytes = outPos - 2;
        boolean stored = length + 4 <= fixedBytes;
        if (counting && dynamicBlockMayBeShorter(stored ? length + STORED_BLOCK_OVERHEAD : fixedBytes)) {
            return null;
        }
        if (stored) {
            writeStoredBlock(length);
        }
        int adler = adler32(length);
        out[outPos++] = (byte) (adler >>> 24);
        out[outPos++] = (byte) (adler >>> 16);
        out[outPos++] = (byte) (adler >>> 8);
        out[outPos++] = (byte) adler;
        return Arrays.copyOf(out, outPos);
    }

    /** Whether the bound leaves zlib's dynamic block more than the tolerance shorter than ours. */
    private boolean dynamicBlockMayBeShorter(int ourBlockBytes) {
        literalFrequency[END_OF_BLOCK] = 1;
        literalsUsed[END_OF_BLOCK >>> 6] |= 1L << END_OF_BLOCK;
        int bound = dynamicBlockBound.bytes(literalFrequency, literalsUsed, distanceFrequency, distancesUsed);
        clearFrequencies(literalFrequency, literalsUsed);
        clearFrequencies(distanceFrequency, distancesUsed);
        return ourBlockBytes - bound > Zlib.MAX_EXCESS_BYTES;
    }

    private static void clearFrequencies(int[] frequency, long[] used) {
        for (int word = 0; word < used.length; word++) {
            for (long bits = used[word]; bits != 0; bits &= bits - 1) {
                frequency[word << 6 | Long.numberOfTrailingZeros(bits)] = 0;
            }
            used[word] = 0;
        }
    }

    /**
     * zlib's lazy matcher (deflate_slow), writing each symbol as it is decided: a match found at one
     * position is taken only if the next position does not find a longer one.
     */
    private void compress(int length) {
        byte[] w = window;
        int strstart = 0;
        int lookahead = length;
        int matchLength = MIN_MATCH - 1;
        boolean matchAvailable = false;
        int hash = length >= MIN_MATCH ? ((w[0] & 0xFF) << HASH_SHIFT ^ (w[1] & 0xFF)) & HASH_MASK : 0;
        while (lookahead != 0) {
            int hashHead = 0;
            if (lookahead >= MIN_MATCH) {
                hash = (hash << HASH_SHIFT ^ (w[strstart + 2] & 0xFF)) & HASH_MASK;
                hashHead = head[hash];
                prev[strstart] = (char) hashHead;
                head[hash] = (char) strstart;
            }
            int prevLength = matchLength;
            int prevMatch = matchStart;
            matchLength = MIN_MATCH - 1;
            if (hashHead != 0 && prevLength < MAX_LAZY) {
                matchLength = longestMatch(strstart, hashHead, prevLength, lookahead);
                if (matchLength == MIN_MATCH && strstart - matchStart > TOO_FAR) {
                    matchLength = MIN_MATCH - 1;
                }
            }
            if (prevLength >= MIN_MATCH && matchLength <= prevLength) {
                int maxInsert = strstart + lookahead - MIN_MATCH;
                writeMatch(strstart - 1 - prevMatch, prevLength);
                lookahead -= prevLength - 1;
                // The positions a match covers still enter the hash chains, as in zlib.
                for (int k = prevLength - 2; k > 0; k--) {
                    if (++strstart <= maxInsert) {
                        hash = (hash << HASH_SHIFT ^ (w[strstart + 2] & 0xFF)) & HASH_MASK;
                        prev[strstart] = head[hash];
                        head[hash] = (char) strstart;
                    }
                }
                matchAvailable = false;
                matchLength = MIN_MATCH - 1;
                strstart++;
            } else {
                if (matchAvailable) {
                    writeLiteral(w[strstart - 1] & 0xFF);
                }
                matchAvailable = true;
                strstart++;
                lookahead--;
            }
        }
        if (matchAvailable) {
            writeLiteral(w[strstart - 1] & 0xFF);
        }
    }

    /**
     * zlib's longest_match: the first candidate along the chain with the longest match wins, so ties
     * keep the nearer one. {@link #matchStart} changes only on an improvement, which the caller relies on.
     */
    private int longestMatch(int strstart, int candidate, int prevLength, int lookahead) {
        byte[] w = window;
        int chain = prevLength >= GOOD_LENGTH ? MAX_CHAIN >> 2 : MAX_CHAIN;
        int nice = Math.min(NICE_LENGTH, lookahead);
        int bestLength = prevLength;
        byte scanEnd1 = w[strstart + bestLength - 1];
        byte scanEnd = w[strstart + bestLength];
        byte scan0 = w[strstart];
        byte scan1 = w[strstart + 1];
        do {
            // A longer match must agree at the current best length: the cheapest rejection first.
            if (w[candidate + bestLength] == scanEnd && w[candidate + bestLength - 1] == scanEnd1
                    && w[candidate] == scan0 && w[candidate + 1] == scan1) {
                int matched = 2;
                while (matched < MAX_MATCH && w[candidate + matched] == w[strstart + matched]) {
                    matched++;
                }
                if (matched > bestLength) {
                    matchStart = candidate;
                    bestLength = matched;
                    if (matched >= nice) {
                        break;
                    }
                    scanEnd1 = w[strstart + bestLength - 1];
                    scanEnd = w[strstart + bestLength];
                }
            }
            candidate = prev[candidate];
        } while (candidate != 0 && --chain != 0);
        return Math.min(bestLength, lookahead);
    }

    private void writeLiteral(int literal) {
        writeBits(LITERAL_BITS[literal], LITERAL_LENGTH[literal]);
        if (counting) {
            literalFrequency[literal]++;
            literalsUsed[literal >>> 6] |= 1L << literal;
        }
    }

    private void writeMatch(int distance, int matchLength) {
        writeBits(MATCH_BITS[matchLength - MIN_MATCH], MATCH_LENGTH[matchLength - MIN_MATCH]);
        writeBits(DISTANCE_BITS[distance - 1], DISTANCE_LENGTH[distance - 1]);
        if (counting) {
            int symbol = LENGTH_SYMBOL[matchLength - MIN_MATCH];
            int code = DISTANCE_CODE[distance - 1];
            literalFrequency[symbol]++;
            literalsUsed[symbol >>> 6] |= 1L << symbol;
            distanceFrequency[code]++;
            distancesUsed[0] |= 1L << code;
        }
    }

    /** Undoes only the hash slots this call wrote: positions up to length - 3 were hashed. */
    private void clearHashHeads(int length) {
        if (length < MIN_MATCH) {
            return;
        }
        byte[] w = window;
        int hash = ((w[0] & 0xFF) << HASH_SHIFT ^ (w[1] & 0xFF)) & HASH_MASK;
        for (int i = 0; i + MIN_MATCH <= length; i++) {
            hash = (hash << HASH_SHIFT ^ (w[i + 2] & 0xFF)) & HASH_MASK;
            head[hash] = 0;
        }
    }

    /** Replaces the fixed block with a stored one: header bits, padding, LEN, NLEN, the bytes. */
    private void writeStoredBlock(int length) {
        outPos = 2;
        out[outPos++] = 0b001; // final block, stored; the other 5 bits pad to the byte boundary
        out[outPos++] = (byte) length;
        out[outPos++] = (byte) (length >>> 8);
        out[outPos++] = (byte) ~length;
        out[outPos++] = (byte) (~length >>> 8);
        System.arraycopy(window, 0, out, outPos, length);
        outPos += length;
    }

    private void writeBits(int bits, int count) {
        bitBuffer |= (long) bits << bitCount;
        bitCount += count;
        if (bitCount >= 32) {
            byte[] o = out;
            int p = outPos;
            o[p] = (byte) bitBuffer;
            o[p + 1] = (byte) (bitBuffer >>> 8);
            o[p + 2] = (byte) (bitBuffer >>> 16);
            o[p + 3] = (byte) (bitBuffer >>> 24);
            outPos = p + 4;
            bitBuffer >>>= 32;
            bitCount -= 32;
        }
    }

    private void flushBits() {
        while (bitCount > 0) {
            out[outPos++] = (byte) bitBuffer;
            bitBuffer >>>= 8;
            bitCount -= 8;
        }
        bitBuffer = 0;
        bitCount = 0;
    }

    private int adler32(int length) {
        // Below 8 KiB the sums fit a long, so one reduction at the end is enough.
        long a = 1;
        long b = 0;
        byte[] w = window;
        for (int i = 0; i < length; i++) {
            a += w[i] & 0xFF;
            b += a;
        }
        return (int) ((b % 65521) << 16 | (a % 65521));
    }
}
