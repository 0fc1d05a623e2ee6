package dev.parley.sfu.rtp;

/**
 * Reads, rewrites and writes the 24-byte reception report blocks of SR and RR packets (RFC 3550 section 6.4.1).
 * Accessors take {@code blockOff}, the block's first byte, from {@link #offset}.
 */
public final class ReportBlock {
    /** Size of one report block. */
    public static final int LENGTH = 24;

    private ReportBlock() {
    }

    /** Absolute offset of block {@code index} (below the packet's count) in the SR or RR at {@code packetOff}. */
    public static int offset(byte[] buf, int packetOff, int index) {
        int first = RtcpPacket.type(buf, packetOff) == RtcpPacket.SR ? SenderReport.HEADER_LENGTH : 8;
        return packetOff + first + LENGTH * index;
    }

    /** SSRC of the source this block reports on. */
    public static int ssrc(byte[] buf, int blockOff) {
        return BigEndian.i32(buf, blockOff);
    }

    /** Rewrites the reported source, e.g. from a subscriber's view of a stream to the publisher's SSRC. */
    public static void setSsrc(byte[] buf, int blockOff, int ssrc) {
        BigEndian.put32(buf, blockOff, ssrc);
    }

    /** Fraction of packets lost since the previous report, in 1/256 (0..255). */
    public static int fractionLost(byte[] buf, int blockOff) {
        return BigEndian.u8(buf, blockOff + 4);
    }

    /** Cumulative number of packets lost, a signed 24-bit value (duplicates can make it negative). */
    public static int cumulativeLost(byte[] buf, int blockOff) {
        return BigEndian.u24(buf, blockOff + 5) << 8 >> 8;
    }

    /** Extended highest sequence number received: cycles in the high 16 bits, sequence number in the low. */
    public static int extendedHighestSequenceNumber(byte[] buf, int blockOff) {
        return BigEndian.i32(buf, blockOff + 8);
    }

    /** Interarrival jitter in RTP timestamp units. */
    public static long jitter(byte[] buf, int blockOff) {
        return BigEndian.u32(buf, blockOff + 12);
    }

    /** LSR: middle 32 bits of the NTP timestamp of the last SR received from the source, 0 if none. */
    public static int lastSenderReport(byte[] buf, int blockOff) {
        return BigEndian.i32(buf, blockOff + 16);
    }

    /** DLSR: delay since that SR was received, in 1/65536 seconds. */
    public static long delaySinceLastSenderReport(byte[] buf, int blockOff) {
        return BigEndian.u32(buf, blockOff + 20);
    }

    /**
     * Round-trip time from this block's LSR and DLSR (RFC 3550 section 6.4.1), as seen by the source that sent
     * the reported SR.
     *
     * @param nowNtp the NTP time at which this report arrived
     * @return the round trip in nanoseconds, or -1 when the block carries no LSR or the values are inconsistent
     */
    public static long roundTripNanos(byte[] buf, int blockOff, long nowNtp) {
        int lsr = lastSenderReport(buf, blockOff);
        if (lsr == 0) {
            return -1;
        }
        long units = ((int) (nowNtp >>> 16) - lsr - (int) delaySinceLastSenderReport(buf, blockOff)) & 0xFFFF_FFFFL;
        if (units >= 0x8000_0000L) {
            return -1;
        }
        return units * 1_000_000_000L >>> 16;
    }

    /**
     * Writes a block at {@code blockOff}; {@code cumulativeLost} is clamped to the signed 24-bit range and
     * {@code fractionLost} to 0..255.
     *
     * @return {@link #LENGTH}
     */
    public static int write(byte[] dst, int blockOff, int ssrc, int fractionLost, long cumulativeLost,
            int extendedHighestSeq, long jitter, int lastSenderReport, long delaySinceLastSenderReport) {
        if (!BigEndian.inBounds(dst, blockOff, LENGTH)) {
            throw new IllegalArgumentException("report block needs " + LENGTH + " bytes at " + blockOff
                    + ", buffer has " + (dst == null ? 0 : dst.length));
        }
        BigEndian.put32(dst, blockOff, ssrc);
        dst[blockOff + 4] = (byte) Math.max(0, Math.min(255, fractionLost));
        BigEndian.put24(dst, blockOff + 5, (int) Math.max(-0x80_0000L, Math.min(0x7F_FFFFL, cumulativeLost)));
        BigEndian.put32(dst, blockOff + 8, extendedHighestSeq);
        BigEndian.put32(dst, blockOff + 12, (int) Math.max(0, Math.min(0xFFFF_FFFFL, jitter)));
        BigEndian.put32(dst, blockOff + 16, lastSenderReport);
        BigEndian.put32(dst, blockOff + 20, (int) Math.max(0, Math.min(0xFFFF_FFFFL, delaySinceLastSenderReport)));
        return LENGTH;
    }
}
