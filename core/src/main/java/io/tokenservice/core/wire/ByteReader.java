package io.tokenservice.core.wire;

import io.tokenservice.core.token.MalformedTokenException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Bounds-checked little-endian reader over untrusted bytes. Every read that would run past the end
 * fails with {@link MalformedTokenException} naming what was being read, never with an index error.
 */
public final class ByteReader {
    private final byte[] data;
    private final int end;
    private int position;

    public ByteReader(byte[] data) {
        this(data, 0, data.length);
    }

    public ByteReader(byte[] data, int offset, int length) {
        this.data = data;
        this.position = offset;
        this.end = offset + length;
    }

    public int position() {
        return position;
    }

    public int remaining() {
        return end - position;
    }

    public int u16(String what) {
        require(2, what);
        int value = (data[position] & 0xFF) | (data[position + 1] & 0xFF) << 8;
        position += 2;
        return value;
    }

    public short i16(String what) {
        return (short) u16(what);
    }

    public long u32(String what) {
        require(4, what);
        long value = (data[position] & 0xFFL)
                | (data[position + 1] & 0xFFL) << 8
                | (data[position + 2] & 0xFFL) << 16
                | (data[position + 3] & 0xFFL) << 24;
        position += 4;
        return value;
    }

    public byte[] bytes(String what) {
        int count = u16(what + " length");
        require(count, what);
        byte[] copy = Arrays.copyOfRange(data, position, position + count);
        position += count;
        return copy;
    }

    public String string(String what) {
        int count = u16(what + " length");
        require(count, what);
        String text = new String(data, position, count, StandardCharsets.UTF_8);
        position += count;
        return text;
    }

    private void require(int count, String what) {
        if (count > end - position) {
            throw new MalformedTokenException(
                    "truncated: " + what + " needs " + count + " bytes but only " + (end - position) + " remain");
        }
    }
}
