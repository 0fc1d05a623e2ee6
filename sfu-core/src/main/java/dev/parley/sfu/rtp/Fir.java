package dev.parley.sfu.rtp;

/**
 * Reads and rewrites the entries of a full intra request (RFC 5104 section 4.3.1): each names the SSRC that
 * should send a keyframe and a request sequence number. {@code off} and {@code len} are the packet as yielded by
 * {@link RtcpIterator}.
 */
public final class Fir {
    /** Size of one FCI entry: SSRC, sequence number, reserved. */
    public static final int ENTRY_LENGTH = 8;

    private Fir() {
    }

    /** Number of entries in the packet. */
    public static int entryCount(int len) {
        return Math.max(0, (len - RtcpFeedback.HEADER_LENGTH) / ENTRY_LENGTH);
    }

    /** SSRC asked for a keyframe by entry {@code index}. */
    public static int entrySsrc(byte[] buf, int off, int index) {
        return BigEndian.i32(buf, off + RtcpFeedback.HEADER_LENGTH + ENTRY_LENGTH * index);
    }

    /** Rewrites the SSRC of entry {@code index}, e.g. to the publisher's SSRC. */
    public static void setEntrySsrc(byte[] buf, int off, int index, int ssrc) {
        BigEndian.put32(buf, off + RtcpFeedback.HEADER_LENGTH + ENTRY_LENGTH * index, ssrc);
    }

    /** Command sequence number of entry {@code index} (0..255); a repeated number is a retransmitted request. */
    public static int entrySequenceNumber(byte[] buf, int off, int index) {
        return BigEndian.u8(buf, off + RtcpFeedback.HEADER_LENGTH + ENTRY_LENGTH * index + 4);
    }

    /** Rewrites the command sequence number of entry {@code index}. */
    public static void setEntrySequenceNumber(byte[] buf, int off, int index, int seqNr) {
        buf[off + RtcpFeedback.HEADER_LENGTH + ENTRY_LENGTH * index + 4] = (byte) seqNr;
    }
}
