package dev.parley.recorder.media;

/**
 * Opus over RTP (RFC 7587): every payload is exactly one Opus packet, so every RTP packet is a frame. A lost
 * packet is simply missing from the file; the decoder conceals it.
 */
final class OpusDepacketizer extends Depacketizer {
    /** RFC 6716 section 3.4 [R1]/[R5]: at most 120 ms of 48 kHz audio in 1275-byte frames, times 48 frames. */
    static final int MAX_PACKET = 1275 * 48 + 2 * 48;

    OpusDepacketizer(FrameSink sink) {
        super(sink);
    }

    @Override
    void push(OrderedPacket p) {
        // An Opus packet has at least its TOC byte (RFC 6716 section 3.4, [R1]).
        if (p.payloadLength < 1 || p.payloadLength > MAX_PACKET) {
            countMalformed();
            countDropped();
            return;
        }
        countFrame();
        sink.frame(p.array, p.payloadOffset, p.payloadLength, p.timestamp, true, p.arrivalNanos);
    }

    @Override
    void reset() {
    }
}
