package dev.parley.sfu.media;

/**
 * Keeps the VP8 payload descriptor's picture ID (7 or 15 bits) and TL0PICIDX (8 bits) running on across a change
 * of source (RFC 7741 section 4.2), e.g. a switch of simulcast layer: a receiver that saw picture ID n last expects
 * n+1 next, whatever the new source numbered it. Each source is a segment; a segment's offsets are set from its
 * first packet that carries the field, so that its first picture continues the previous segment's last one; the
 * fields then wrap around with their width.
 *
 * <p>Loop-confined, allocates nothing. Malformed or truncated descriptors are left as they are, never read past.
 */
public final class Vp8DescriptorRewriter {
    private boolean picIdSeen;
    private int picIdOffset;
    private int lastOutPicId;
    private boolean tl0Seen;
    private int tl0Offset;
    private int lastOutTl0;
    /** Whether the current segment has shown its own picture ID / TL0PICIDX (offsets set from the first). */
    private boolean segmentPicIdSet;
    private boolean segmentTl0Set;

    /** The next packet comes from a new source. */
    public void beginSegment() {
        segmentPicIdSet = false;
        segmentTl0Set = false;
    }

    /**
     * Rewrites the descriptor at the start of the payload in place.
     *
     * @param p the first payload byte
     * @param n the payload length
     * @param advance false for a retransmission: it is rewritten with the offsets in force, which it does not move
     */
    public void rewrite(byte[] buf, int p, int n, boolean advance) {
        if (p < 0 || n < 2 || p + n > buf.length || (buf[p] & 0x80) == 0) {
            return;
        }
        int ext = buf[p + 1] & 0xFF;
        int i = p + 2;
        int end = p + n;
        if ((ext & 0x80) != 0) {
            if (i >= end) {
                return;
            }
            boolean wide = (buf[i] & 0x80) != 0;
            if (wide && i + 1 >= end) {
                return;
            }
            int mask = wide ? 0x7FFF : 0x7F;
            int in = wide ? ((buf[i] & 0x7F) << 8) | (buf[i + 1] & 0xFF) : buf[i] & 0x7F;
            if (advance && !segmentPicIdSet) {
                picIdOffset = picIdSeen ? lastOutPicId + 1 - in : 0;
                segmentPicIdSet = true;
                picIdSeen = true;
            }
            int out = (in + picIdOffset) & mask;
            if (advance) {
                lastOutPicId = out;
            }
            if (wide) {
                buf[i] = (byte) (0x80 | (out >> 8));
                buf[i + 1] = (byte) out;
                i += 2;
            } else {
                buf[i] = (byte) out;
                i += 1;
            }
        }
        if ((ext & 0x40) != 0 && i < end) {
            int in = buf[i] & 0xFF;
            if (advance && !segmentTl0Set) {
                tl0Offset = tl0Seen ? lastOutTl0 + 1 - in : 0;
                segmentTl0Set = true;
                tl0Seen = true;
            }
            int out = (in + tl0Offset) & 0xFF;
            if (advance) {
                lastOutTl0 = out;
            }
            buf[i] = (byte) out;
        }
    }
}
