package dev.parley.sfu.rtp;

/**
 * Reads the sender info of an RTCP sender report (RFC 3550 section 6.4.1); report blocks are read with
 * {@link ReportBlock}, the sender SSRC with {@link RtcpPacket#senderSsrc}. {@code off} is the packet start as
 * yielded by {@link RtcpIterator}.
 */
public final class SenderReport {
    /** Header plus sender SSRC and sender info: where the first report block starts. */
    public static final int HEADER_LENGTH = 28;

    private SenderReport() {
    }

    /** 64-bit NTP timestamp of the report (seconds since 1900 in the high word, fraction in the low word). */
    public static long ntpTimestamp(byte[] buf, int off) {
        return BigEndian.i64(buf, off + 8);
    }

    /** RTP timestamp corresponding to {@link #ntpTimestamp}. */
    public static int rtpTimestamp(byte[] buf, int off) {
        return BigEndian.i32(buf, off + 16);
    }

    /** Writes the RTP timestamp of the report (to carry it into another stream's timeline). */
    public static void setRtpTimestamp(byte[] buf, int off, int rtpTimestamp) {
        BigEndian.put32(buf, off + 16, rtpTimestamp);
    }

    /** Sender's packet count, 0..2^32-1. */
    public static long packetCount(byte[] buf, int off) {
        return BigEndian.u32(buf, off + 20);
    }

    /** Sender's payload octet count, 0..2^32-1. */
    public static long octetCount(byte[] buf, int off) {
        return BigEndian.u32(buf, off + 24);
    }
}
