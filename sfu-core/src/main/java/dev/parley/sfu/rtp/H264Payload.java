package dev.parley.sfu.rtp;

/** Reads the H.264 RTP payload (RFC 6184) far enough to spot keyframes. */
public final class H264Payload {
    private static final int IDR = 5;
    private static final int SPS = 7;
    private static final int STAP_A = 24;
    private static final int FU_A = 28;

    private H264Payload() {
    }

    /**
     * True when the payload carries the start of a keyframe: a single NAL unit, a NAL inside a STAP-A, or the
     * first fragment of an FU-A, of type IDR (5) or SPS (7). Never throws; malformed payloads (forbidden bit set,
     * STAP-A sizes that overrun) are not keyframes.
     *
     * @param off the first payload byte ({@link RtpHeader#payloadOffset})
     * @param len payload length ({@link RtpHeader#payloadLength})
     */
    public static boolean isKeyframe(byte[] buf, int off, int len) {
        if (!BigEndian.inBounds(buf, off, len) || len < 1 || (buf[off] & 0x80) != 0) {
            return false;
        }
        int type = buf[off] & 0x1F;
        if (type >= 1 && type < STAP_A) {
            return isKeyNal(type);
        }
        if (type == STAP_A) {
            return stapAHasKeyNal(buf, off + 1, off + len);
        }
        if (type == FU_A) {
            return len >= 2 && (buf[off + 1] & 0x80) != 0 && isKeyNal(buf[off + 1] & 0x1F);
        }
        return false;
    }

    private static boolean stapAHasKeyNal(byte[] buf, int i, int end) {
        boolean found = false;
        while (i < end) {
            if (end - i < 2) {
                return false;
            }
            int size = BigEndian.u16(buf, i);
            i += 2;
            if (size == 0 || size > end - i) {
                return false;
            }
            found |= isKeyNal(buf[i] & 0x1F);
            i += size;
        }
        return found;
    }

    private static boolean isKeyNal(int type) {
        return type == IDR || type == SPS;
    }
}
