package dev.parley.sfu.rtp;

/**
 * RTCP packet types and the common header every RTCP packet starts with (RFC 3550 section 6.4).
 *
 * <p>Accessors take {@code off}, the first byte of one packet inside a compound, as yielded by
 * {@link RtcpIterator}; the iterator has already checked that the packet's layout fits its length.
 */
public final class RtcpPacket {
    /** Sender report. */
    public static final int SR = 200;
    /** Receiver report. */
    public static final int RR = 201;
    /** Source description. */
    public static final int SDES = 202;
    /** Goodbye. */
    public static final int BYE = 203;
    /** Application-defined. */
    public static final int APP = 204;
    /** Transport-layer feedback (RFC 4585): generic NACK, transport-wide congestion control. */
    public static final int RTPFB = 205;
    /** Payload-specific feedback (RFC 4585): PLI, FIR, REMB. */
    public static final int PSFB = 206;

    /** Size of the common header (version, padding, count, type, length). */
    public static final int HEADER_LENGTH = 4;

    private RtcpPacket() {
    }

    /**
     * RFC 5761 demultiplexing of RTP and RTCP sharing a port: true when the datagram is version 2 and its second
     * byte is 192..223. That range holds every RTCP type in use (SR 200 to PSFB 206 and beyond); RTP sessions that
     * mux must therefore avoid payload types 64..95, which would put the byte in the same range with the marker set.
     */
    public static boolean isRtcp(byte[] buf, int off, int len) {
        if (!BigEndian.inBounds(buf, off, len) || len < HEADER_LENGTH || (buf[off] & 0xC0) != 0x80) {
            return false;
        }
        int second = buf[off + 1] & 0xFF;
        return second >= 192 && second <= 223;
    }

    /** Packet type (200 for SR, 205 for RTPFB, ...). */
    public static int type(byte[] buf, int off) {
        return buf[off + 1] & 0xFF;
    }

    /** The five-bit field after the padding bit: report count (SR, RR), source count (SDES, BYE) or FMT (feedback). */
    public static int count(byte[] buf, int off) {
        return buf[off] & 0x1F;
    }

    /** Packet length in bytes from its length field, header and padding included. */
    public static int length(byte[] buf, int off) {
        return (BigEndian.u16(buf, off + 2) + 1) * 4;
    }

    /** SSRC of the packet's sender: the first word after the header of SR, RR, RTPFB, PSFB and APP. */
    public static int senderSsrc(byte[] buf, int off) {
        return BigEndian.i32(buf, off + 4);
    }

    /** Rewrites the sender SSRC, e.g. when the SFU relays feedback under its own SSRC. */
    public static void setSenderSsrc(byte[] buf, int off, int ssrc) {
        BigEndian.put32(buf, off + 4, ssrc);
    }

    /**
     * Whether a packet of this type and count can be {@code contentLength} bytes long (padding excluded): the
     * structure the readers rely on must fit. Types without readers only need their header.
     */
    static boolean layoutFits(int type, int count, int contentLength) {
        return switch (type) {
            case SR -> contentLength >= SenderReport.HEADER_LENGTH + ReportBlock.LENGTH * count;
            case RR -> contentLength >= 8 + ReportBlock.LENGTH * count;
            case BYE -> contentLength >= HEADER_LENGTH + 4 * count;
            case RTPFB, PSFB -> contentLength >= RtcpFeedback.HEADER_LENGTH;
            case APP -> contentLength >= 12;
            default -> true;
        };
    }
}
