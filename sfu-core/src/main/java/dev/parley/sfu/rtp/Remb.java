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

    /**
     * Writes a REMB of {@code bitrate} bits per second (rounded down to what 18 bits of mantissa carry) for the
     * first {@code count} of {@code ssrcs}.
     *
     * @return the bytes written
     * @throws IllegalArgumentException for a negative bitrate, a count outside 1..255 or the array, or a buffer
     *     too small; nothing is written then
     */
    public static int write(byte[] dst, int off, int senderSsrc, long bitrate, int[] ssrcs, int count) {
        if (bitrate < 0 || ssrcs == null || count < 1 || count > 255 || count > ssrcs.length) {
            throw new IllegalArgumentException("a REMB needs a bitrate >= 0 and 1..255 SSRCs, got " + bitrate
                    + " and " + count);
        }
        int length = FCI + 8 + 4 * count;
        if (!BigEndian.inBounds(dst, off, length)) {
            throw new IllegalArgumentException("REMB needs " + length + " bytes at offset " + off);
        }
        int exponent = 0;
        long mantissa = bitrate;
        while (mantissa > 0x3FFFF) {
            mantissa >>>= 1;
            exponent++;
        }
        dst[off] = (byte) (0x80 | RtcpFeedback.FMT_AFB);
        dst[off + 1] = (byte) RtcpPacket.PSFB;
        BigEndian.put16(dst, off + 2, length / 4 - 1);
        BigEndian.put32(dst, off + 4, senderSsrc);
        BigEndian.put32(dst, off + 8, 0);
        dst[off + FCI] = 'R';
        dst[off + FCI + 1] = 'E';
        dst[off + FCI + 2] = 'M';
        dst[off + FCI + 3] = 'B';
        dst[off + FCI + 4] = (byte) count;
        BigEndian.put24(dst, off + FCI + 5, exponent << 18 | (int) mantissa);
        for (int i = 0; i < count; i++) {
            BigEndian.put32(dst, off + FCI + 8 + 4 * i, ssrcs[i]);
        }
        return length;
    }
}
