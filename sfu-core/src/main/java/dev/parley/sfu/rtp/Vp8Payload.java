package dev.parley.sfu.rtp;

/** Reads the VP8 RTP payload (RFC 7741) far enough to spot keyframes. */
public final class Vp8Payload {
    private Vp8Payload() {
    }

    /**
     * True when the payload starts a VP8 keyframe: the payload descriptor (with its optional picture ID,
     * TL0PICIDX and TID/KEYIDX fields) has S set and partition index 0, and the VP8 frame header that follows has
     * the P bit clear and the keyframe start code. Never throws; malformed or truncated payloads are not keyframes.
     *
     * @param off the first payload byte ({@link RtpHeader#payloadOffset})
     * @param len payload length ({@link RtpHeader#payloadLength})
     */
    public static boolean isKeyframe(byte[] buf, int off, int len) {
        if (!BigEndian.inBounds(buf, off, len) || len < 1) {
            return false;
        }
        int descriptor = buf[off] & 0xFF;
        if ((descriptor & 0x10) == 0 || (descriptor & 0x07) != 0) {
            return false;
        }
        int end = off + len;
        int i = off + 1;
        if ((descriptor & 0x80) != 0) {
            if (i >= end) {
                return false;
            }
            int extension = buf[i++] & 0xFF;
            if ((extension & 0x80) != 0) {
                if (i >= end) {
                    return false;
                }
                i += (buf[i] & 0x80) != 0 ? 2 : 1;
            }
            if ((extension & 0x40) != 0) {
                i++;
            }
            if ((extension & 0x30) != 0) {
                i++;
            }
        }
        // Keyframe frame header: 3-byte frame tag with P (bit 0) clear, then the start code 9d 01 2a.
        return end - i >= 6
                && (buf[i] & 0x01) == 0
                && (buf[i + 3] & 0xFF) == 0x9D && buf[i + 4] == 0x01 && buf[i + 5] == 0x2A;
    }
}
