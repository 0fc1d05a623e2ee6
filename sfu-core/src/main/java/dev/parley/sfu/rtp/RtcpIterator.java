package dev.parley.sfu.rtp;

/**
 * Walks the packets of a compound RTCP datagram without allocating; keep one per thread and
 * {@link #reset(byte[], int, int) reset} it for each datagram.
 *
 * <p>{@code reset} checks the whole compound first: every packet must be version 2, its length field must fit in
 * what remains, only the last packet may carry padding, and the known types' fixed parts (report blocks, feedback
 * header, BYE sources) must fit their length. One bad packet makes the whole datagram invalid and nothing is
 * yielded, so a caller acting on the packets never acts on half of a malformed datagram. Reduced-size RTCP
 * (RFC 5506, a lone feedback packet) is accepted.
 *
 * <pre>{@code
 * if (it.reset(buf, off, len)) {
 *     while (it.next()) {
 *         switch (it.type()) { case RtcpPacket.SR -> ...; case RtcpPacket.PSFB -> ...; default -> { } }
 *     }
 * }
 * }</pre>
 */
public final class RtcpIterator {
    private byte[] buf;
    private int end;
    private int position;
    private boolean valid;
    private int offset;
    private int length;
    private int type;
    private int count;

    /**
     * Starts a walk over {@code [off, off+len)}.
     *
     * @return whether the datagram is a well-formed (possibly reduced-size) compound; when false, {@link #next()}
     *     yields nothing
     */
    public boolean reset(byte[] buf, int off, int len) {
        this.buf = buf;
        this.position = off;
        this.end = off + len;
        this.offset = this.length = this.type = this.count = 0;
        this.valid = BigEndian.inBounds(buf, off, len) && len > 0 && validate(buf, off, off + len);
        if (!valid) {
            this.buf = null;
        }
        return valid;
    }

    /** Whether the last {@link #reset} found a well-formed compound. */
    public boolean isValid() {
        return valid;
    }

    /** Moves to the next packet; false when there is none (or the compound was invalid). */
    public boolean next() {
        if (!valid || position >= end) {
            return false;
        }
        offset = position;
        type = RtcpPacket.type(buf, offset);
        count = RtcpPacket.count(buf, offset);
        int total = RtcpPacket.length(buf, offset);
        length = (buf[offset] & 0x20) != 0 ? total - (buf[offset + total - 1] & 0xFF) : total;
        position = offset + total;
        return true;
    }

    /** Current packet's type ({@link RtcpPacket#SR}, ...). */
    public int type() {
        return type;
    }

    /** Current packet's count or FMT field. */
    public int count() {
        return count;
    }

    /** Absolute index of the current packet's first byte. */
    public int offset() {
        return offset;
    }

    /** Current packet's length in bytes, header included and padding excluded. */
    public int length() {
        return length;
    }

    private static boolean validate(byte[] buf, int i, int end) {
        while (i < end) {
            if (end - i < RtcpPacket.HEADER_LENGTH || (buf[i] & 0xC0) != 0x80) {
                return false;
            }
            int total = RtcpPacket.length(buf, i);
            if (total > end - i) {
                return false;
            }
            int content = total;
            if ((buf[i] & 0x20) != 0) {
                int padding = buf[i + total - 1] & 0xFF;
                if (i + total != end || padding == 0 || padding > total - RtcpPacket.HEADER_LENGTH) {
                    return false;
                }
                content -= padding;
            }
            if (!RtcpPacket.layoutFits(RtcpPacket.type(buf, i), RtcpPacket.count(buf, i), content)) {
                return false;
            }
            i += total;
        }
        return true;
    }
}
