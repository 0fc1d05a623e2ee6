package dev.parley.recorder.media;

/**
 * What the recorder must know about a track's RTP stream: the codec, its RTP clock rate (from the SDP rtpmap)
 * and, for audio, the channel count.
 *
 * @param codec the codec of the track
 * @param clockRate RTP timestamp units per second (48000 for Opus, 90000 for video)
 * @param channels audio channels (1 or 2); ignored for video
 */
public record CodecInfo(MediaCodec codec, int clockRate, int channels) {
    /** Checks the values; a clock rate of zero or below would make every timestamp meaningless. */
    public CodecInfo {
        if (codec == null) {
            throw new IllegalArgumentException("codec is required");
        }
        if (clockRate <= 0 || clockRate > 1_000_000) {
            throw new IllegalArgumentException("RTP clock rate must be 1..1000000 Hz, got " + clockRate);
        }
        if (!codec.isVideo() && (channels < 1 || channels > 2)) {
            throw new IllegalArgumentException("audio channels must be 1 or 2, got " + channels);
        }
    }

    /** Opus as WebRTC negotiates it: opus/48000/2. */
    public static CodecInfo opus() {
        return new CodecInfo(MediaCodec.OPUS, 48_000, 2);
    }

    /** VP8 with the usual 90 kHz clock. */
    public static CodecInfo vp8() {
        return new CodecInfo(MediaCodec.VP8, 90_000, 0);
    }

    /** H.264 with the usual 90 kHz clock. */
    public static CodecInfo h264() {
        return new CodecInfo(MediaCodec.H264, 90_000, 0);
    }
}
