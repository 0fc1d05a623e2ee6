package dev.parley.sfu.rtp;

/**
 * Reads receiver estimated maximum bitrate messages (draft-alvestrand-rmcat-remb): PSFB FMT 15 whose FCI starts
 * with "REMB", then the SSRC count, the bitrate as mantissa and exponent, and the SSRCs it applies to.
 */
public final class Remb {
    private static final int FCI = RtcpFeedback.HEADER_LENGTH;

    private Remb() {
    }

    /**
     * True when {@code [off, off+len)} is a complete REMB: PSFB, FMT 15, the "REMB" identifier and room for its
     * SSRC list. Call before the other accessors; never throws.
     */
    public static boolean isValid(byte[] buf, int off, int len) {
        if (!BigEndian.inBounds(buf, off, len) || len < FCI + 8
                || RtcpPacket.type(buf, off) != RtcpPacket.PSFB
                || RtcpPacket.count(buf, off) != RtcpFeedback.FMT_AFB
                || buf[off + FCI] != 'R' || buf[off + FCI + 1] != 'E'
                || buf[off + FCI + 2] != 'M' || buf[off + FCI + 3] != 'B') {
            return false;
        }
        return FCI + 8 + 4 * ssrcCount(buf, off) <= len;
    }

    /** Estimated maximum bitrate in bits per second (saturating at {@link Long#MAX_VALUE}). */
    public static long bitrate(byte[] buf, int off) {
        int exponent = BigEndian.u8(buf, off + FCI + 5) >>> 2;
        long mantissa = BigEndian.u24(buf, off + FCI + 5) & 0x3FFFF;
        if (mantissa > Long.MAX_VALUE >>> exponent) {
            return Long.MAX_VALUE;
        }
        return mantissa << exponent;
    }

    /** Number of SSRCs the estimate applies to. */
    public static int ssrcCount(byte[] buf, int off) {
        return BigEndian.u8(buf, off + FCI + 4);
    }

    /** SSRC number {@code index} the estimate applies to. */
    public static int ssrc(byte[] buf, int off, int index) {
        return BigEndian.i32(buf, off + FCI + 8 + 4 * index);
    }
}
