package dev.parley.recorder.media;

import java.util.Arrays;

/**
 * A byte array that grows up to a fixed limit and is reused from frame to frame, so that assembling frames and
 * clusters does not allocate once it has reached its working size.
 */
final class GrowableBytes {
    private final int limit;
    private byte[] array;
    private int length;

    GrowableBytes(int initialCapacity, int limit) {
        this.limit = limit;
        this.array = new byte[Math.min(initialCapacity, limit)];
    }

    byte[] array() {
        return array;
    }

    int length() {
        return length;
    }

    void clear() {
        length = 0;
    }

    /** Whether {@code n} more bytes fit under the limit. */
    boolean fits(int n) {
        return n >= 0 && n <= limit - length;
    }

    /** Appends; the caller checks {@link #fits(int)} first (beyond the limit this throws). */
    void put(byte[] src, int off, int len) {
        ensure(len);
        System.arraycopy(src, off, array, length, len);
        length += len;
    }

    void put(int b) {
        ensure(1);
        array[length++] = (byte) b;
    }

    void putU16(int v) {
        put(v >>> 8);
        put(v);
    }

    void putU32(int v) {
        putU16(v >>> 16);
        putU16(v);
    }

    /** Overwrites four bytes already written, big-endian (a length prefix filled in later). */
    void setU32(int at, int v) {
        array[at] = (byte) (v >>> 24);
        array[at + 1] = (byte) (v >>> 16);
        array[at + 2] = (byte) (v >>> 8);
        array[at + 3] = (byte) v;
    }

    private void ensure(int more) {
        if (!fits(more)) {
            throw new IllegalStateException("buffer limit of " + limit + " bytes exceeded");
        }
        int needed = length + more;
        if (needed > array.length) {
            array = Arrays.copyOf(array, (int) Math.min(limit, Math.max(needed, 2L * array.length)));
        }
    }
}
