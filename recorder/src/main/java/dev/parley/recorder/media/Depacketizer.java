package dev.parley.recorder.media;

/**
 * Turns one codec's RTP payloads, in order, into frames. Malformed payloads never throw: they are counted in
 * {@link #malformed()} and the frame they belong to is dropped (for video, until the next keyframe). Memory is
 * bounded by the largest frame allowed.
 */
abstract sealed class Depacketizer permits OpusDepacketizer, Vp8Depacketizer, H264Depacketizer {
    /** Frames larger than this are dropped: far above any WebRTC frame, small enough to bound memory. */
    static final int DEFAULT_MAX_FRAME = 4 << 20;

    final FrameSink sink;
    private long malformed;
    private long dropped;
    private long frames;

    Depacketizer(FrameSink sink) {
        this.sink = sink;
    }

    /** The depacketizer for a codec. */
    static Depacketizer of(MediaCodec codec, FrameSink sink, int maxFrameBytes) {
        return switch (codec) {
            case OPUS -> new OpusDepacketizer(sink);
            case VP8 -> new Vp8Depacketizer(sink, maxFrameBytes);
            case H264 -> new H264Depacketizer(sink, maxFrameBytes, H264Depacketizer.Format.AVCC);
        };
    }

    /** Takes the next packet in sequence order. */
    abstract void push(OrderedPacket packet);

    /**
     * The stream ended or its sender changed: a frame still being assembled is dropped, and video waits for a
     * keyframe again.
     */
    abstract void reset();

    final void countMalformed() {
        malformed++;
    }

    final void countDropped() {
        dropped++;
    }

    final void countFrame() {
        frames++;
    }

    /** Payloads that broke the codec's payload format. */
    long malformed() {
        return malformed;
    }

    /** Frames dropped: incomplete, malformed, too large, or waiting for a keyframe. */
    long dropped() {
        return dropped;
    }

    /** Frames handed to the sink. */
    long frames() {
        return frames;
    }
}
