package dev.parley.sfu.packet;

/**
 * A mutable window over a reusable byte array: the unit every step of the media path works on.
 *
 * <p>The media path reads a datagram once into a pooled {@code PacketBuffer}, then decrypts, parses,
 * rewrites and encrypts it in place. {@link #HEADROOM} bytes of spare capacity after any datagram
 * leave room for the SRTP authentication tag that encryption appends, so no step has to reallocate.
 * A buffer is owned by one thread at a time and is not thread-safe.
 */
public final class PacketBuffer {
    /** Largest datagram the media path accepts (a 1500-byte MTU plus slack for tunnels). */
    public static final int MAX_DATAGRAM = 1600;
    /** Spare bytes for what protection appends (SRTP tag, SRTCP index and tag). */
    public static final int HEADROOM = 64;

    private final byte[] array;
    private int offset;
    private int length;

    public PacketBuffer() {
        this(MAX_DATAGRAM + HEADROOM);
    }

    public PacketBuffer(int capacity) {
        this.array = new byte[capacity];
    }

    public byte[] array() {
        return array;
    }

    public int offset() {
        return offset;
    }

    public int length() {
        return length;
    }

    public int capacity() {
        return array.length;
    }

    /** Sets the window; fails loudly rather than let a step write past the array. */
    public void setWindow(int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > array.length) {
            throw new IndexOutOfBoundsException("window " + offset + "+" + length + " outside capacity " + array.length);
        }
        this.offset = offset;
        this.length = length;
    }

    public void setLength(int length) {
        setWindow(offset, length);
    }

    /** Copies {@code len} bytes into the start of this buffer and makes them the window. */
    public void copyFrom(byte[] src, int srcOffset, int len) {
        if (len > array.length) {
            throw new IndexOutOfBoundsException("packet of " + len + " bytes exceeds capacity " + array.length);
        }
        System.arraycopy(src, srcOffset, array, 0, len);
        offset = 0;
        length = len;
    }

    /** Copies another buffer's window into the start of this one. */
    public void copyFrom(PacketBuffer other) {
        copyFrom(other.array, other.offset, other.length);
    }

    /** Byte at {@code index} relative to the window start, as an unsigned value. */
    public int getUnsignedByte(int index) {
        return array[offset + index] & 0xFF;
    }
}
