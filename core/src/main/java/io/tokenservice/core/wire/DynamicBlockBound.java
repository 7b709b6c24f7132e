package io.tokenservice.core.wire;

/**
 * A lower bound, in whole bytes, of the dynamic-Huffman block zlib would write for a block's symbols
 * (zlib's {@code opt_len} with the 3 block-type bits, from its trees.c), at a small fraction of the
 * cost of building it. Every part is at most what zlib spends on it:
 * <ul>
 *   <li>each code at least the entropy of its symbols, and at least one bit per symbol, plus the
 *       extra bits of lengths and distances;
 *   <li>the code lengths as zlib's {@code send_tree} sends them: zero runs exactly as sent (their
 *       shape depends only on which symbols are used), runs of used symbols as if all had one length
 *       (the fewest code-length symbols), and all those symbols under the cheapest prefix code that
 *       could tell the zero codes from the rest;
 *   <li>the code-length code's own lengths up to the last one zlib must send: a complete code for
 *       {@code k} symbols has a length of at most floor(log2 k) and one of at least ceil(log2 k).
 * </ul>
 *
 * <p>Not thread-safe; the deflater that owns it reuses its scratch space.
 */
final class DynamicBlockBound {
    static final int LITERAL_LENGTH_SYMBOLS = 286;
    static final int DISTANCE_CODES = 30;
    private static final int FIRST_LENGTH_SYMBOL = 257;
    private static final int[] LENGTH_EXTRA_BITS =
            {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
    private static final int[] DISTANCE_EXTRA_BITS =
            {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
    /** Where each code length (0..15) comes in the order zlib sends the code-length code's lengths. */
    private static final int[] SEND_POSITION = new int[16];
    /** The earliest send position among lengths 1..m (index m), and among lengths m..15. */
    private static final int[] EARLIEST_UP_TO = new int[16];
    private static final int[] EARLIEST_FROM = new int[16];
    /** f * log2(f) for frequencies and symbol counts below 2048; larger ones are computed. */
    private static final double[] F_LOG2_F = new double[2048];
    private static final double INVERSE_LN_2 = 1 / Math.log(2);

    static {
        int[] order = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
        for (int position = 0; position < order.length; position++) {
            if (order[position] < 16) {
                SEND_POSITION[order[position]] = position;
            }
        }
        EARLIEST_UP_TO[0] = Integer.MAX_VALUE;
        for (int m = 1; m <= 15; m++) {
            EARLIEST_UP_TO[m] = Math.min(EARLIEST_UP_TO[m - 1], SEND_POSITION[m]);
        }
        EARLIEST_FROM[15] = SEND_POSITION[15];
        for (int m = 14; m >= 1; m--) {
            EARLIEST_FROM[m] = Math.min(EARLIEST_FROM[m + 1], SEND_POSITION[m]);
        }
        for (int f = 2; f < F_LOG2_F.length; f++) {
            F_LOG2_F[f] = f * Math.log(f) * INVERSE_LN_2;
        }
    }

    private final long[] sent = new long[(LITERAL_LENGTH_SYMBOLS + 63) / 64];
    /** Code-length symbols across both codes: single zeros, codes 17 and 18, and everything else. */
    private int singleZeros;
    private int shortZeroRuns;
    private int longZeroRuns;
    private int lengthSymbols;
    private int repeats;
    private int lastLengthPosition;

    /**
     * The bound for a block whose literal/length symbols (end-of-block code included) and distance
     * codes have these frequencies, {@code used} marking the symbols with a non-zero one.
     */
    int bytes(int[] literalFrequency, long[] literalsUsed, int[] distanceFrequency, long[] distancesUsed) {
        singleZeros = 0;
        shortZeroRuns = 0;
        longZeroRuns = 0;
        lengthSymbols = 0;
        repeats = 0;
        lastLengthPosition = 3;
        // Block type, HLIT, HDIST, HCLEN.
        long bits = 3 + 5 + 5 + 4;
        bits += codeBits(literalFrequency, literalsUsed, FIRST_LENGTH_SYMBOL, LENGTH_EXTRA_BITS);
        bits += codeBits(distanceFrequency, distancesUsed, 0, DISTANCE_EXTRA_BITS);
        countCodeLengthSymbols(literalsUsed);
        countCodeLengthSymbols(distancesUsed);
        bits += 3L * (lastLengthPosition + 1);
        bits += cheapestCode(singleZeros, shortZeroRuns, longZeroRuns, lengthSymbols + repeats)
                + 3L * shortZeroRuns + 7L * longZeroRuns + 2L * repeats;
        return (int) ((bits + 7) >>> 3);
    }

    /** One code's symbols, with the extra bits of those from {@code extraBase} on. */
    private static long codeBits(int[] frequency, long[] used, int extraBase, int[] extraBits) {
        long count = 0;
        long extra = 0;
        double sumFLog2F = 0;
        for (int word = 0; word < used.length; word++) {
            for (long bits = used[word]; bits != 0; bits &= bits - 1) {
                int symbol = word << 6 | Long.numberOfTrailingZeros(bits);
                int f = frequency[symbol];
                count += f;
                sumFLog2F += fLog2F(f);
                if (symbol >= extraBase) {
                    extra += (long) f * extraBits[symbol - extraBase];
                }
            }
        }
        if (count == 0) {
            return 0;
        }
        double entropy = fLog2F(count) - sumFLog2F;
        // The margin keeps rounding from lifting the bound above a code that meets it exactly.
        return extra + Math.max(count, (long) Math.ceil(entropy - 1e-6 * count));
    }

    /**
     * The code-length symbols zlib's send_tree writes for one code at the fewest, given which symbols
     * it uses. zlib gives a code at least two symbols (0 or 1, or the next one after the only one).
     */
    private void countCodeLengthSymbols(long[] used) {
        int words = used.length;
        System.arraycopy(used, 0, sent, 0, words);
        int symbols = 0;
        int maxCode = -1;
        for (int word = 0; word < words; word++) {
            symbols += Long.bitCount(used[word]);
            if (used[word] != 0) {
                maxCode = word << 6 | 63 - Long.numberOfLeadingZeros(used[word]);
            }
        }
        for (; symbols < 2; symbols++) {
            int forced = maxCode < 2 ? ++maxCode : 0;
            sent[forced >>> 6] |= 1L << forced;
        }
        int floorLog2 = 31 - Integer.numberOfLeadingZeros(symbols);
        int ceilLog2 = 32 - Integer.numberOfLeadingZeros(symbols - 1);
        lastLengthPosition = Math.max(lastLengthPosition,
                Math.max(EARLIEST_UP_TO[Math.min(floorLog2, 15)], EARLIEST_FROM[Math.min(ceilLog2, 15)]));
        int described = 0;
        for (int start = nextSetBit(sent, words, 0); start >= 0; ) {
            int end = nextClearBit(sent, words, start);
            countZeroRun(start - described);
            countLengthRun(end - start);
            described = end;
            start = nextSetBit(sent, words, end);
        }
    }

    /** Code 18 per 138 zeros, then the rest: code 18 (11..137), code 17 (3..10) or single zeros. */
    private void countZeroRun(int zeros) {
        longZeroRuns += zeros / 138;
        int rest = zeros % 138;
        if (rest >= 11) {
            longZeroRuns++;
        } else if (rest >= 3) {
            shortZeroRuns++;
        } else {
            singleZeros += rest;
        }
    }

    /**
     * Used symbols all of one length: under 4 each length is sent, else the length and code 16 (up to
     * 7); after that code 16 per up to 6, or single lengths under 3.
     */
    private void countLengthRun(int symbols) {
        int first = Math.min(symbols, 7);
        if (first < 4) {
            lengthSymbols += first;
        } else {
            lengthSymbols++;
            repeats++;
        }
        int rest = symbols - first;
        repeats += rest / 6;
        int tail = rest % 6;
        if (tail >= 3) {
            repeats++;
        } else {
            lengthSymbols += tail;
        }
    }

    /**
     * Cost of an optimal prefix code for four symbol counts, some possibly 0 (absent): Huffman's
     * merges, at least one bit per symbol.
     */
    private static long cheapestCode(int a, int b, int c, int d) {
        // Sort the four counts (a <= b <= c <= d) with a five-comparison network.
        if (a > b) {
            int t = a;
            a = b;
            b = t;
        }
        if (c > d) {
            int t = c;
            c = d;
            d = t;
        }
        if (a > c) {
            int t = a;
            a = c;
            c = t;
        }
        if (b > d) {
            int t = b;
            b = d;
            d = t;
        }
        if (b > c) {
            int t = b;
            b = c;
            c = t;
        }
        if (c == 0) {
            return d;
        }
        if (b == 0) {
            return (long) c + d;
        }
        if (a == 0) {
            // Three symbols: the two smallest merge, then that with the third.
            return 2L * (b + c) + d;
        }
        long first = (long) a + b;
        // Four symbols: after merging the two smallest, merge the two smallest of first, c and d.
        long x = first;
        long y = c;
        long z = d;
        if (x > y) {
            long t = x;
            x = y;
            y = t;
        }
        if (y > z) {
            long t = y;
            y = z;
            z = t;
        }
        if (x > y) {
            long t = x;
            x = y;
            y = t;
        }
        return first + (x + y) + (x + y + z);
    }

    private static int nextSetBit(long[] words, int wordCount, int from) {
        int word = from >>> 6;
        if (word >= wordCount) {
            return -1;
        }
        long bits = words[word] & -1L << from;
        while (bits == 0) {
            if (++word == wordCount) {
                return -1;
            }
            bits = words[word];
        }
        return word << 6 | Long.numberOfTrailingZeros(bits);
    }

    private static int nextClearBit(long[] words, int wordCount, int from) {
        int word = from >>> 6;
        long bits = ~words[word] & -1L << from;
        while (bits == 0) {
            if (++word == wordCount) {
                return wordCount << 6;
            }
            bits = ~words[word];
        }
        return word << 6 | Long.numberOfTrailingZeros(bits);
    }

    private static double fLog2F(long f) {
        return f < F_LOG2_F.length ? F_LOG2_F[(int) f] : f * Math.log(f) * INVERSE_LN_2;
    }
}
