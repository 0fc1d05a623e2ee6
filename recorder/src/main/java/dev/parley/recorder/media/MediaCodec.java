package dev.parley.recorder.media;

/** The codecs the recorder can write, with the Matroska codec id each is stored under. */
public enum MediaCodec {
    /** Opus audio (RFC 7587), always a 48 kHz RTP clock. */
    OPUS(false, "A_OPUS"),
    /** VP8 video (RFC 7741). */
    VP8(true, "V_VP8"),
    /** H.264 video (RFC 6184); stored in Matroska, since WebM does not allow it. */
    H264(true, "V_MPEG4/ISO/AVC");

    private final boolean video;
    private final String matroskaId;

    MediaCodec(boolean video, String matroskaId) {
        this.video = video;
        this.matroskaId = matroskaId;
    }

    /** Whether this is a video codec (frames depend on a keyframe). */
    public boolean isVideo() {
        return video;
    }

    String matroskaId() {
        return matroskaId;
    }
}
