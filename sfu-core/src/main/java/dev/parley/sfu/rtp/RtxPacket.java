package dev.parley.sfu.rtp;

import dev.parley.sfu.packet.PacketBuffer;

/**
 * The RFC 4588 retransmission payload format: a retransmitted packet travels on its own SSRC, payload type and
 * sequence numbers, with the original sequence number (OSN) as the first two bytes of its payload. Receivers can
 * then tell a retransmission from a first transmission and count them apart (browsers report
 * {@code retransmittedPacketsReceived}).
 *
 * <p>Both directions work on preallocated buffers and allocate nothing.
 */
public final class RtxPacket {
    /** Bytes the OSN adds to a payload. */
    public static final int OSN_LENGTH = 2;

    private RtxPacket() {}

    /**
     * Writes {@code [off, off+len)}, a valid RTP packet, as a retransmission into {@code into}: same header
     * (CSRCs, extensions, marker, timestamp), then SSRC, payload type and sequence number replaced, the original
     * sequence number prepended to the payload, padding left off.
     *
     * @return false, leaving {@code into} untouched, when the packet is not valid RTP or the result would not
     *     fit in {@code into} with room for SRTP to append its tag
     */
    public static boolean encapsulate(byte[] buf, int off, int len, PacketBuffer into, int rtxSsrc,
                                      int rtxPayloadType, int rtxSequence) {
        if (!RtpHeader.isValid(buf, off, len)) {
            return false;
        }
        int header = RtpHeader.headerLength(buf, off);
        int payload = len - header - RtpHeader.paddingLength(buf, off, len);
        int total = header + OSN_LENGTH + payload;
        if (total > into.capacity() - PacketBuffer.HEADROOM) {
            return false;
        }
        byte[] dst = into.array();
        System.arraycopy(buf, off, dst, 0, header);
        dst[0] &= (byte) ~0x20; // no padding in the retransmission
        BigEndian.put16(dst, header, RtpHeader.sequenceNumber(buf, off));
        System.arraycopy(buf, off + header, dst, header + OSN_LENGTH, payload);
        RtpHeader.setSsrc(dst, 0, rtxSsrc);
        RtpHeader.setPayloadType(dst, 0, rtxPayloadType);
        RtpHeader.setSequenceNumber(dst, 0, rtxSequence);
        into.setWindow(0, total);
        return true;
    }

    /**
     * Turns a received retransmission in {@code packet} (valid RTP) back into the original packet, in place: the
     * OSN becomes the sequence number again, {@code mediaSsrc} and {@code mediaPayloadType} replace the RTX ones,
     * the payload moves up over the OSN and padding is dropped.
     *
     * @return the original sequence number, or -1, leaving {@code packet} untouched, when the payload has no
     *     room for an OSN: padding-only packets, which browsers send on the RTX SSRC to probe bandwidth
     */
    public static int decapsulate(PacketBuffer packet, int mediaSsrc, int mediaPayloadType) {
        byte[] buf = packet.array();
        int off = packet.offset();
        int len = packet.length();
        if (!RtpHeader.isValid(buf, off, len)) {
            return -1;
        }
        int header = RtpHeader.headerLength(buf, off);
        int payload = len - header - RtpHeader.paddingLength(buf, off, len);
        if (payload < OSN_LENGTH) {
            return -1;
        }
        int osn = BigEndian.u16(buf, off + header);
        System.arraycopy(buf, off + header + OSN_LENGTH, buf, off + header, payload - OSN_LENGTH);
        buf[off] &= (byte) ~0x20;
        RtpHeader.setSequenceNumber(buf, off, osn);
        RtpHeader.setSsrc(buf, off, mediaSsrc);
        RtpHeader.setPayloadType(buf, off, mediaPayloadType);
        packet.setLength(header + payload - OSN_LENGTH);
        return osn;
    }
}
