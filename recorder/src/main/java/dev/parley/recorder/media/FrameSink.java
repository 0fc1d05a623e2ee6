package dev.parley.recorder.media;

/** Receives the frames a depacketizer assembles, in order. */
interface FrameSink {
    /**
     * One complete frame. {@code data} is reused after the call returns: copy what you keep.
     *
     * @param timestamp the RTP timestamp of the frame, unrolled to 64 bits
     * @param keyframe whether the frame decodes on its own (always true for audio)
     * @param arrivalNanos when the frame's first packet arrived
     */
    void frame(byte[] data, int offset, int length, long timestamp, boolean keyframe, long arrivalNanos);

    /** A keyframe announced this picture size (called before that keyframe's {@link #frame}). */
    default void resolution(int width, int height) {
    }

    /** Video frames are being dropped until the next keyframe: the sender should be asked for one. */
    default void keyframeNeeded() {
    }
}
