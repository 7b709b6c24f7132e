package io.tokenservice.core.wire;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Growable little-endian buffer for the Agora token layouts. Instances are reused per thread by
 * the encoders, so {@link #reset()} keeps the backing array.
 */
public final class ByteWriter {
    /** Largest byte count a {@code bytes} or {@code string} field can carry (its prefix is a u16). */
    public static final int MAX_FIELD_BYTES = 0xFFFF;

    private byte[] buffer;
    private int length;

    public ByteWriter(int initialCapacity) {
        buffer = new byte[initialCapacity];
    }

    public ByteWriter reset() {
        length = 0;
        return this;
    }

    public int length() {
        return length;
    }

    /** The backing array; only the first {@link #length()} bytes are meaningful. */
    public byte[] array() {
        return buffer;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buffer, length);
    }

    /** One byte: the low 8 bits of {@code value}. */
    public ByteWriter u8(int value) {
        ensure(1);
        buffer[length++] = (byte) value;
        return this;
    }

    public ByteWriter u16(int value) {
        if (value < 0 || value > 0xFFFF) {
            throw new IllegalArgumentException("u16 out of range: " + value);
        }
        ensure(2);
        buffer[length++] = (byte) value;
        buffer[length++] = (byte) (value >>> 8);
        return this;
    }

    public ByteWriter i16(short value) {
        ensure(2);
        buffer[length++] = (byte) value;
        buffer[length++] = (byte) (value >>> 8);
        return this;
    }

    public ByteWriter u32(long value) {
        if (value < 0 || value > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("u32 out of range: " + value);
        }
        ensure(4);
        buffer[length++] = (byte) value;
        buffer[length++] = (byte) (value >>> 8);
        buffer[length++] = (byte) (value >>> 16);
        buffer[length++] = (byte) (value >>> 24);
        return this;
    }

    public ByteWriter raw(byte[] bytes, int offset, int count) {
        ensure(count);
        System.arraycopy(bytes, offset, buffer, length, count);
        length += count;
        return this;
    }

    /** A {@code bytes} field: u16 length prefix, then the bytes. */
    public ByteWriter bytes(byte[] bytes) {
        if (bytes.length > MAX_FIELD_BYTES) {
            throw new IllegalArgumentException("field longer than " + MAX_FIELD_BYTES + " bytes");
        }
        u16(bytes.length);
        return raw(bytes, 0, bytes.length);
    }

    /** A {@code string} field: always UTF-8, whatever the platform charset. */
    public ByteWriter string(String text) {
        return bytes(text.getBytes(StandardCharsets.UTF_8));
    }

    private void ensure(int extra) {
        if (length + extra > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + extra));
        }
    }
}
