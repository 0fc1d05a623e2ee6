package dev.parley.recorder.media;

/**
 * A packet as the jitter buffer releases it: in sequence order, with 64-bit sequence number and timestamp
 * (wrap-arounds unrolled). One instance is reused for every release; a receiver must copy what it keeps.
 */
final class OrderedPacket {
    byte[] array;
    int payloadOffset;
    int payloadLength;
    long sequence;
    long timestamp;
    boolean marker;
    int ssrc;
    long arrivalNanos;
    /** Packets before this one were lost (or given up on): whatever spanned the hole is incomplete. */
    boolean afterGap;

    /** Builds a packet directly; for tests of the depacketizers. */
    static OrderedPacket of(byte[] payload, long sequence, long timestamp, boolean marker, boolean afterGap) {
        OrderedPacket p = new OrderedPacket();
        p.array = payload;
        p.payloadOffset = 0;
        p.payloadLength = payload.length;
        p.sequence = sequence;
        p.timestamp = timestamp;
        p.marker = marker;
        p.afterGap = afterGap;
        return p;
    }
}
