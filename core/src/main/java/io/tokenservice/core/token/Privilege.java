package io.tokenservice.core.token;

/**
 * One entry of a token's privilege map. In 007 the value is seconds relative to the issue time; in
 * 006 it is an absolute Unix time. In both, 0 means "no limit of its own".
 */
public record Privilege(int key, long value) implements Comparable<Privilege> {
    public Privilege {
        if (key < 0 || key > 0xFFFF) {
            throw new IllegalArgumentException("privilege key must fit in u16: " + key);
        }
        if (value < 0 || value > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("privilege value must fit in u32: " + value);
        }
    }

    @Override
    public int compareTo(Privilege other) {
        return Integer.compare(key, other.key);
    }
}
