package dev.parley.sfu.rtp;

/**
 * The common layout of RFC 4585 feedback packets (RTPFB and PSFB): header, sender SSRC, media source SSRC, then
 * feedback control information (FCI). {@code off} is the packet start as yielded by {@link RtcpIterator}.
 */
public final class RtcpFeedback {
    /** Header, sender SSRC and media source SSRC: where the FCI starts. */
    public static final int HEADER_LENGTH = 12;
    /** RTPFB FMT of a generic NACK (RFC 4585 section 6.2.1). */
    public static final int FMT_NACK = 1;
    /** RTPFB FMT of transport-wide congestion control feedback. */
    public static final int FMT_TRANSPORT_CC = 15;
    /** PSFB FMT of a picture loss indication (RFC 4585 section 6.3.1). */
    public static final int FMT_PLI = 1;
    /** PSFB FMT of a full intra request (RFC 5104 section 4.3.1). */
    public static final int FMT_FIR = 4;
    /** PSFB FMT of application-layer feedback, which carries REMB. */
    public static final int FMT_AFB = 15;

    private RtcpFeedback() {
    }

    /** SSRC of the media source the feedback is about (0 in FIR and REMB, which name sources in their FCI). */
    public static int mediaSsrc(byte[] buf, int off) {
        return BigEndian.i32(buf, off + 8);
    }

    /** Rewrites the media source SSRC, e.g. from the SSRC a subscriber sees to the publisher's. */
    public static void setMediaSsrc(byte[] buf, int off, int ssrc) {
        BigEndian.put32(buf, off + 8, ssrc);
    }

    /** Whether an iterated packet's type and count field make it a generic NACK. */
    public static boolean isNack(int type, int fmt) {
        return type == RtcpPacket.RTPFB && fmt == FMT_NACK;
    }

    /** Whether an iterated packet's type and count field make it a PLI. */
    public static boolean isPli(int type, int fmt) {
        return type == RtcpPacket.PSFB && fmt == FMT_PLI;
    }

    /** Whether an iterated packet's type and count field make it a FIR. */
    public static boolean isFir(int type, int fmt) {
        return type == RtcpPacket.PSFB && fmt == FMT_FIR;
    }
}
