package dev.parley.sfu.srtp;

import dev.parley.sfu.packet.PacketBuffer;
import org.jitsi.utils.ByteArrayBuffer;

/**
 * Presents the window of a {@link PacketBuffer} as jitsi-srtp's {@link ByteArrayBuffer}, so jitsi-srtp
 * transforms our pooled buffers in place. One adapter is re-pointed at each packet ({@link #wrap}) instead of
 * allocating one per packet.
 *
 * <p>A {@code PacketBuffer}'s array cannot be replaced, so growth beyond its capacity is refused with an
 * {@link IllegalStateException}; {@link SrtpSession} checks the room it needs before protecting, so that
 * refusal means a bug, not bad input.
 */
final class PacketBufferAdapter implements ByteArrayBuffer {
    private PacketBuffer packet;

    /** Points this adapter at {@code p}; returns this for call chaining. */
    PacketBufferAdapter wrap(PacketBuffer p) {
        this.packet = p;
        return this;
    }

    /** Drops the reference to the last packet so a pooled buffer is not kept reachable from here. */
    void release() {
        this.packet = null;
    }

    @Override
    public byte[] getBuffer() {
        return packet.array();
    }

    @Override
    public int getOffset() {
        return packet.offset();
    }

    @Override
    public int getLength() {
        return packet.length();
    }

    @Override
    public void setLength(int len) {
        packet.setLength(len);
    }

    @Override
    public void setOffset(int off) {
        packet.setWindow(off, packet.length());
    }

    @Override
    public boolean isInvalid() {
        return false;
    }

    @Override
    public void readRegionToBuff(int off, int len, byte[] outBuf) {
        if (off < 0 || len < 0 || off + len > packet.length() || len > outBuf.length) {
            throw new IndexOutOfBoundsException("region " + off + "+" + len + " outside packet of "
                    + packet.length() + " bytes");
        }
        System.arraycopy(packet.array(), packet.offset() + off, outBuf, 0, len);
    }

    @Override
    public void grow(int howMuch) {
        if (howMuch < 0) {
            throw new IllegalArgumentException("negative growth " + howMuch);
        }
        int needed = packet.offset() + packet.length() + howMuch;
        if (needed > packet.capacity()) {
            throw new IllegalStateException("packet needs " + needed + " bytes, buffer capacity is " + packet.capacity());
        }
    }

    @Override
    public void append(byte[] data, int len) {
        int end = packet.offset() + packet.length();
        grow(len);
        System.arraycopy(data, 0, packet.array(), end, len);
        packet.setLength(packet.length() + len);
    }

    @Override
    public void shrink(int len) {
        if (len <= 0) {
            return;
        }
        packet.setLength(Math.max(0, packet.length() - len));
    }
}
