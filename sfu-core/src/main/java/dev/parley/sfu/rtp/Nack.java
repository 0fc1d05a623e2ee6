package dev.parley.sfu.rtp;

/**
 * Reads the (PID, BLP) items of a generic NACK (RFC 4585 section 6.2.1); {@link NackIterator} expands them into
 * lost sequence numbers. {@code off} and {@code len} are the packet as yielded by {@link RtcpIterator}.
 */
public final class Nack {
    /** Size of one FCI item: PID and BLP. */
    public static final int ITEM_LENGTH = 4;

    private Nack() {
    }

    /** Number of (PID, BLP) items in the packet. */
    public static int itemCount(int len) {
        return Math.max(0, (len - RtcpFeedback.HEADER_LENGTH) / ITEM_LENGTH);
    }

    /** Packet ID of item {@code index}: the first lost sequence number. */
    public static int pid(byte[] buf, int off, int index) {
        return BigEndian.u16(buf, off + RtcpFeedback.HEADER_LENGTH + ITEM_LENGTH * index);
    }

    /** Bitmask of following lost packets of item {@code index}: bit i set means PID+i+1 is lost too. */
    public static int blp(byte[] buf, int off, int index) {
        return BigEndian.u16(buf, off + RtcpFeedback.HEADER_LENGTH + ITEM_LENGTH * index + 2);
    }
}
