package dev.parley.sfu.rtp;

import dev.parley.sfu.packet.PacketBuffer;

/**
 * Reads and rewrites the RTP header (RFC 3550 section 5.1) of a packet in place, and finds RFC 8285 header
 * extensions.
 *
 * <p>Call {@link #isValid(byte[], int, int)} first: the other accessors assume a packet that passed it, where
 * {@code off} is the first byte of the packet. {@code isValid} and the extension lookups never throw on any
 * input and never read outside {@code [off, off+len)}. Nothing here allocates, so it is safe per packet.
 */
public final class RtpHeader {
    /** Size of the fixed header, before CSRCs and extension. */
    public static final int FIXED_HEADER_LENGTH = 12;
    /** Extension profile of the RFC 8285 one-byte form. */
    public static final int ONE_BYTE_PROFILE = 0xBEDE;
    /** Extension profile of the RFC 8285 two-byte form with its four "appbits" cleared. */
    public static final int TWO_BYTE_PROFILE = 0x1000;

    private RtpHeader() {
    }

    /**
     * True when {@code [off, off+len)} holds an RTP version 2 packet whose length covers the fixed header,
     * the CSRC list, the header extension and the padding it declares.
     */
    public static boolean isValid(byte[] buf, int off, int len) {
        if (!BigEndian.inBounds(buf, off, len) || len < FIXED_HEADER_LENGTH || (buf[off] & 0xC0) != 0x80) {
            return false;
        }
        int header = FIXED_HEADER_LENGTH + 4 * (buf[off] & 0x0F);
        if ((buf[off] & 0x10) != 0) {
            if (header + 4 > len) {
                return false;
            }
            header += 4 + 4 * BigEndian.u16(buf, off + header + 2);
        }
        if (header > len) {
            return false;
        }
        if ((buf[off] & 0x20) != 0) {
            int padding = buf[off + len - 1] & 0xFF;
            return padding > 0 && header + padding <= len;
        }
        return true;
    }

    /** {@link #isValid(byte[], int, int)} on a buffer's window. */
    public static boolean isValid(PacketBuffer packet) {
        return isValid(packet.array(), packet.offset(), packet.length());
    }

    /** Payload type, 0..127. */
    public static int payloadType(byte[] buf, int off) {
        return buf[off + 1] & 0x7F;
    }

    /** Replaces the payload type, keeping the marker bit. */
    public static void setPayloadType(byte[] buf, int off, int payloadType) {
        if (payloadType < 0 || payloadType > 127) {
            throw new IllegalArgumentException("RTP payload type must be 0..127, got " + payloadType);
        }
        buf[off + 1] = (byte) ((buf[off + 1] & 0x80) | payloadType);
    }

    /** The marker bit (end of a video frame, start of a talkspurt). */
    public static boolean marker(byte[] buf, int off) {
        return (buf[off + 1] & 0x80) != 0;
    }

    /** Sets or clears the marker bit, keeping the payload type. */
    public static void setMarker(byte[] buf, int off, boolean marker) {
        buf[off + 1] = (byte) (marker ? buf[off + 1] | 0x80 : buf[off + 1] & 0x7F);
    }

    /** Sequence number, 0..65535. */
    public static int sequenceNumber(byte[] buf, int off) {
        return BigEndian.u16(buf, off + 2);
    }

    /** Writes the low 16 bits of {@code seq}. */
    public static void setSequenceNumber(byte[] buf, int off, int seq) {
        BigEndian.put16(buf, off + 2, seq);
    }

    /** RTP timestamp as the 32 raw bits; compare with wrapping arithmetic ({@code a - b}). */
    public static int timestamp(byte[] buf, int off) {
        return BigEndian.i32(buf, off + 4);
    }

    /** Rewrites the RTP timestamp. */
    public static void setTimestamp(byte[] buf, int off, int timestamp) {
        BigEndian.put32(buf, off + 4, timestamp);
    }

    /** Synchronization source identifier. */
    public static int ssrc(byte[] buf, int off) {
        return BigEndian.i32(buf, off + 8);
    }

    /** Rewrites the SSRC, e.g. to the one a subscriber was told about. */
    public static void setSsrc(byte[] buf, int off, int ssrc) {
        BigEndian.put32(buf, off + 8, ssrc);
    }

    /** Number of contributing sources listed after the fixed header. */
    public static int csrcCount(byte[] buf, int off) {
        return buf[off] & 0x0F;
    }

    /** Whether the X bit announces a header extension block. */
    public static boolean hasExtension(byte[] buf, int off) {
        return (buf[off] & 0x10) != 0;
    }

    /** Bytes from the packet start to the payload: fixed header, CSRCs and header extension. */
    public static int headerLength(byte[] buf, int off) {
        int header = FIXED_HEADER_LENGTH + 4 * (buf[off] & 0x0F);
        if ((buf[off] & 0x10) != 0) {
            header += 4 + 4 * BigEndian.u16(buf, off + header + 2);
        }
        return header;
    }

    /** Number of trailing padding bytes (0 when the P bit is clear). */
    public static int paddingLength(byte[] buf, int off, int len) {
        return (buf[off] & 0x20) != 0 ? buf[off + len - 1] & 0xFF : 0;
    }

    /** Absolute index in {@code buf} of the first payload byte. */
    public static int payloadOffset(byte[] buf, int off) {
        return off + headerLength(buf, off);
    }

    /** Payload bytes, padding excluded. */
    public static int payloadLength(byte[] buf, int off, int len) {
        return len - headerLength(buf, off) - paddingLength(buf, off, len);
    }

    /**
     * Finds header extension {@code id} in the RFC 8285 one-byte (ids 1..14) or two-byte (ids 1..255) form.
     *
     * @return the absolute offset of the element's data and its length, packed as read by
     *     {@link #extensionOffset(long)} and {@link #extensionLength(long)}; or -1 when the packet is invalid,
     *     has no such element, uses another extension profile, or its extension block is malformed
     */
    public static long findExtension(byte[] buf, int off, int len, int id) {
        if (id <= 0 || id > 255 || !isValid(buf, off, len) || !hasExtension(buf, off)) {
            return -1;
        }
        int start = off + FIXED_HEADER_LENGTH + 4 * csrcCount(buf, off);
        int profile = BigEndian.u16(buf, start);
        int end = start + 4 + 4 * BigEndian.u16(buf, start + 2);
        if (profile == ONE_BYTE_PROFILE) {
            return id < 15 ? findOneByte(buf, start + 4, end, id) : -1;
        }
        if ((profile & 0xFFF0) == TWO_BYTE_PROFILE) {
            return findTwoByte(buf, start + 4, end, id);
        }
        return -1;
    }

    /** Data offset part of a {@link #findExtension} result. */
    public static int extensionOffset(long found) {
        return (int) (found >>> 32);
    }

    /** Data length part of a {@link #findExtension} result. */
    public static int extensionLength(long found) {
        return (int) found;
    }

    /**
     * Reads the RFC 6464 client-to-mixer audio level carried in extension {@code id}.
     *
     * @return the raw level byte (read it with {@link #level(int)} and {@link #voiceActivity(int)}), or -1 when
     *     the packet has no valid element with that id
     */
    public static int audioLevel(byte[] buf, int off, int len, int id) {
        long found = findExtension(buf, off, len, id);
        if (found < 0 || extensionLength(found) < 1) {
            return -1;
        }
        return buf[extensionOffset(found)] & 0xFF;
    }

    /** Level in -dBov from an {@link #audioLevel} value: 0 is loudest, 127 silence. */
    public static int level(int audioLevel) {
        return audioLevel & 0x7F;
    }

    /** The sender's voice-activity flag from an {@link #audioLevel} value. */
    public static boolean voiceActivity(int audioLevel) {
        return (audioLevel & 0x80) != 0;
    }

    private static long findOneByte(byte[] buf, int i, int end, int id) {
        while (i < end) {
            int b = buf[i] & 0xFF;
            if (b == 0) {
                i++;
                continue;
            }
            int elementId = b >>> 4;
            if (elementId == 15) {
                return -1;
            }
            int length = (b & 0x0F) + 1;
            if (i + 1 + length > end) {
                return -1;
            }
            if (elementId == id) {
                return pack(i + 1, length);
            }
            i += 1 + length;
        }
        return -1;
    }

    private static long findTwoByte(byte[] buf, int i, int end, int id) {
        while (i < end) {
            int elementId = buf[i] & 0xFF;
            if (elementId == 0) {
                i++;
                continue;
            }
            if (i + 2 > end) {
                return -1;
            }
            int length = buf[i + 1] & 0xFF;
            if (i + 2 + length > end) {
                return -1;
            }
            if (elementId == id) {
                return pack(i + 2, length);
            }
            i += 2 + length;
        }
        return -1;
    }

    private static long pack(int offset, int length) {
        return (long) offset << 32 | length;
    }
}
