package dev.parley.loadtest;

import dev.parley.sfu.packet.PacketBuffer;

/**
 * The send time a publisher of {@code parley-loadtest} writes into each RTP payload, so that a subscriber can
 * tell how long the packet took: a marker and {@link System#nanoTime()} (CLOCK_MONOTONIC, the same in every
 * process of a machine, so publisher and subscriber may be different processes on one host, not different hosts).
 *
 * <p>The 12 bytes go at payload offset {@value #OFFSET}: past the VP8 payload descriptor and the frame header of a
 * keyframe (which Parley reads) and past the Opus TOC byte, so the payload stays what it claims to be. The marker
 * makes packets without a stamp (padding, an RTX payload with its original sequence number in front) read as none
 * rather than as a wild latency. The payload is inside SRTP: a subscriber reads it only after decryption.
 */
public final class SendTimestamp {
    /** Where the stamp starts in the RTP payload. */
    public static final int OFFSET = 16;
    /** Marker and time. */
    public static final int LENGTH = 12;
    /** No stamp in the packet. */
    public static final long NONE = Long.MIN_VALUE;
    private static final int MARKER = 0x504C5354; // "PLST"

    private SendTimestamp() {}

    /** Writes {@code nanos} into a payload of at least {@code OFFSET + LENGTH} bytes starting at {@code off}. */
    public static void write(byte[] payload, int off, long nanos) {
        SyntheticPeer.putInt(payload, off + OFFSET, MARKER);
        SyntheticPeer.putInt(payload, off + OFFSET + 4, (int) (nanos >>> 32));
        SyntheticPeer.putInt(payload, off + OFFSET + 8, (int) nanos);
    }

    /** The send time in a decrypted RTP packet (header included), or {@link #NONE}. */
    public static long read(PacketBuffer rtp) {
        byte[] b = rtp.array();
        int o = rtp.offset();
        int len = rtp.length();
        if (len < 12) {
            return NONE;
        }
        int payload = 12 + 4 * (b[o] & 0x0F);
        if ((b[o] & 0x10) != 0) { // a header extension: 4 bytes, then its length in 32-bit words
            if (len < payload + 4) {
                return NONE;
            }
            payload += 4 + 4 * (((b[o + payload + 2] & 0xFF) << 8) | (b[o + payload + 3] & 0xFF));
        }
        int at = o + payload + OFFSET;
        if (payload + OFFSET + LENGTH > len || SyntheticPeer.getInt(b, at) != MARKER) {
            return NONE;
        }
        return ((long) SyntheticPeer.getInt(b, at + 4) << 32) | (SyntheticPeer.getInt(b, at + 8) & 0xFFFFFFFFL);
    }
}
