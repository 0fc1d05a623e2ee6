package dev.parley.sfu.rtp;

/**
 * A padding-only RTP packet (RFC 3550 section 5.1, P bit set, no payload) carrying an empty slot for the
 * transport-wide sequence number: what Parley sends to probe a subscriber's path for headroom. Browsers count
 * it for congestion control and drop it before any decoder.
 */
public final class PaddingPacket {
    /** Fixed header, one-byte extension header, one 4-byte extension word. */
    public static final int HEADER_LENGTH = 12 + 4 + 4;
    /** The most padding one packet carries (its count is one byte). */
    public static final int MAX_PADDING = 255;

    private PaddingPacket() {}

    /**
     * Writes the packet at {@code off}: {@code padding} bytes (1..{@value #MAX_PADDING}) after the header.
     *
     * @return its length
     */
    public static int write(byte[] buf, int off, int payloadType, int sequence, int timestamp, int ssrc,
                            int transportCcId, int padding) {
        if (padding < 1 || padding > MAX_PADDING || transportCcId < 1 || transportCcId > 14) {
            throw new IllegalArgumentException("padding 1.." + MAX_PADDING + " and extension id 1..14 only");
        }
        buf[off] = (byte) 0xB0; // version 2, padding, extension
        buf[off + 1] = (byte) (payloadType & 0x7F);
        BigEndian.put16(buf, off + 2, sequence);
        BigEndian.put32(buf, off + 4, timestamp);
        BigEndian.put32(buf, off + 8, ssrc);
        buf[off + 12] = (byte) 0xBE;
        buf[off + 13] = (byte) 0xDE;
        BigEndian.put16(buf, off + 14, 1);
        buf[off + 16] = (byte) (transportCcId << 4 | 1); // two bytes of data, stamped when sent
        buf[off + 17] = 0;
        buf[off + 18] = 0;
        buf[off + 19] = 0;
        int end = off + HEADER_LENGTH + padding;
        for (int i = off + HEADER_LENGTH; i < end - 1; i++) {
            buf[i] = 0;
        }
        buf[end - 1] = (byte) padding;
        return HEADER_LENGTH + padding;
    }
}
