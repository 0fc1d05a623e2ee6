package dev.parley.sfu.rtp;

/** Reads the VP8 RTP payload (RFC 7741) far enough to spot keyframes and their picture size. */
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
        return keyframeHeader(buf, off, len, 6) >= 0;
    }

    /** The width in pixels of the keyframe this payload starts; -1 when it starts none or is too short to say. */
    public static int keyframeWidth(byte[] buf, int off, int len) {
        int i = keyframeHeader(buf, off, len, 10);
        return i < 0 ? -1 : ((buf[i + 6] & 0xFF) | (buf[i + 7] & 0xFF) << 8) & 0x3FFF;
    }

    /** The height in pixels of the keyframe this payload starts; -1 when it starts none or is too short to say. */
    public static int keyframeHeight(byte[] buf, int off, int len) {
        int i = keyframeHeader(buf, off, len, 10);
        return i < 0 ? -1 : ((buf[i + 8] & 0xFF) | (buf[i + 9] & 0xFF) << 8) & 0x3FFF;
    }

    /** Where the keyframe's frame header starts, when at least {@code need} bytes of it are present; else -1. */
    private static int keyframeHeader(byte[] buf, int off, int len, int need) {
        if (!BigEndian.inBounds(buf, off, len) || len < 1) {
            return -1;
        }
        int descriptor = buf[off] & 0xFF;
        if ((descriptor & 0x10) == 0 || (descriptor & 0x07) != 0) {
            return -1;
        }
        int end = off + len;
        int i = off + 1;
        if ((descriptor & 0x80) != 0) {
            if (i >= end) {
                return -1;
            }
            int extension = buf[i++] & 0xFF;
            if ((extension & 0x80) != 0) {
                if (i >= end) {
                    return -1;
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
        boolean keyframe = end - i >= need
                && (buf[i] & 0x01) == 0
                && (buf[i + 3] & 0xFF) == 0x9D && buf[i + 4] == 0x01 && buf[i + 5] == 0x2A;
        return keyframe ? i : -1;
    }
}
