package io.tokenservice.core.wire;

import io.tokenservice.core.token.MalformedTokenException;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * zlib (RFC 1950) compression as the 007 format uses it, with per-thread state: a
 * {@link TokenDeflater} for token-sized input, a {@link Deflater} beyond that, and one
 * {@link Inflater}. Inflation is capped so that a small hostile token cannot expand into a large
 * allocation.
 */
public final class Zlib {
    /** Largest inflated 007 content accepted; real tokens are a few hundred bytes. */
    public static final int MAX_INFLATED_BYTES = 64 * 1024;
    /**
     * The most {@link #deflate} output of a 007 token's content is longer than vanilla zlib's: the fixed
     * Huffman block is kept where zlib's dynamic block would save no more (see {@link TokenDeflater}).
     * For content over 176 bytes this holds for any input, by a lower bound of the dynamic block; for
     * shorter content, where no dynamic block is weighed, the tests show it over seeded token contents
     * of every kind (at most 8 bytes even with names of two or three letters; with realistic names
     * two tokens in 40,000 are longer at all).
     */
    public static final int MAX_EXCESS_BYTES = 12;

    private static final ThreadLocal<TokenDeflater> TOKEN_DEFLATER =
            ThreadLocal.withInitial(TokenDeflater::new);
    private static final ThreadLocal<Deflater> DEFLATER = ThreadLocal.withInitial(Deflater::new);
    private static final ThreadLocal<Inflater> INFLATER = ThreadLocal.withInitial(Inflater::new);
    private static final ThreadLocal<byte[]> OUTPUT = ThreadLocal.withInitial(() -> new byte[1024]);

    private Zlib() {}

    /**
     * Compresses as zlib does at its defaults (level 6, zlib header, all input at once): the bytes
     * vanilla zlib writes, as the JDK's {@link Deflater} over it and the Java, Python and C++ reference
     * builders do, or for a token's content at most {@link #MAX_EXCESS_BYTES} more where zlib's dynamic
     * block would save no more than that. {@link TokenDeflater} writes input up to 8 KiB unless zlib's
     * dynamic block might save more; that input, and longer input, goes to the JDK's {@link Deflater}.
     */
    public static byte[] deflate(byte[] input, int length) {
        if (length <= TokenDeflater.MAX_INPUT) {
            byte[] stream = TOKEN_DEFLATER.get().deflate(input, length);
            if (stream != null) {
                return stream;
            }
        }
        Deflater deflater = DEFLATER.get();
        deflater.reset();
        deflater.setInput(input, 0, length);
        deflater.finish();
        byte[] out = OUTPUT.get();
        int written = 0;
        while (!deflater.finished()) {
            if (written == out.length) {
                out = Arrays.copyOf(out, out.length * 2);
                OUTPUT.set(out);
            }
            written += deflater.deflate(out, written, out.length - written);
        }
        return Arrays.copyOf(out, written);
    }

    public static byte[] inflate(byte[] compressed) {
        Inflater inflater = INFLATER.get();
        inflater.reset();
        inflater.setInput(compressed);
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        byte[] chunk = new byte[1024];
        try {
            while (!inflater.finished()) {
                int n = inflater.inflate(chunk);
                if (n == 0 && !inflater.finished()) {
                    // All input was handed over at once, so no progress means it ran out.
                    throw new MalformedTokenException(inflater.needsDictionary()
                            ? "zlib stream asks for a preset dictionary"
                            : "zlib stream is truncated");
                }
                if (out.size() + n > MAX_INFLATED_BYTES) {
                    throw new MalformedTokenException(
                            "content inflates to more than " + MAX_INFLATED_BYTES + " bytes");
                }
                out.write(chunk, 0, n);
            }
        } catch (DataFormatException e) {
            throw new MalformedTokenException("not a valid zlib stream: " + e.getMessage());
        }
        if (inflater.getRemaining() > 0) {
            throw new MalformedTokenException(
                    inflater.getRemaining() + " unexpected bytes after the end of the zlib stream");
        }
        return out.toByteArray();
    }
}
