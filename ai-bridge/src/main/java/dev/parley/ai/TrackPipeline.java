package dev.parley.ai;

import dev.parley.ai.audio.Resampler;
import dev.parley.ai.audio.SpeechSegment;
import dev.parley.ai.audio.SpeechSegmenter;
import dev.parley.ai.audio.VadSettings;
import dev.parley.sfu.tap.TapPacket;
import dev.parley.sfu.tap.TappedTrack;
import io.github.jaredmdobson.concentus.OpusDecoder;
import io.github.jaredmdobson.concentus.OpusException;
import java.util.function.Consumer;

/**
 * One tapped Opus track on its way to speech segments: decode at 48 kHz mono, resample to 16 kHz, segment. Runs on
 * the meeting's tap thread; its buffers are allocated once (segments aside).
 *
 * <p>The RTP timestamp keeps the timeline honest: a short gap (lost packets) is filled by the decoder's loss
 * concealment, a long one (a muted microphone, a stalled network) ends the open segment and moves the timeline on.
 */
final class TrackPipeline {
    private static final int RATE = 48_000;
    private static final int MAX_FRAME = 5760; // 120 ms
    private static final int CONCEALED_GAP = RATE / 5; // up to 200 ms is concealed; longer is skipped
    private static final int CONCEAL_STEP = 960; // 20 ms

    private final TappedTrack track;
    private final SpeechSegmenter segmenter;
    private final Resampler resampler = new Resampler(RATE, 16_000);
    private final short[] pcm48 = new short[MAX_FRAME];
    private final short[] pcm16 = new short[resampler.maxOutput(MAX_FRAME)];
    private OpusDecoder decoder;
    private boolean started;
    private long anchorNanos; // when the track's first packet arrived
    private long expectedTimestamp;
    private long malformed;

    /**
     * @param segments receives each segment with its start and end in nanoseconds on the {@link System#nanoTime()}
     *     clock, on this thread
     */
    TrackPipeline(TappedTrack track, VadSettings vad, SegmentSink segments) {
        this.track = track;
        this.segmenter = new SpeechSegmenter(vad, s -> segments.segment(track, s,
                anchorNanos + s.startSample() * 1_000_000_000L / 16_000,
                anchorNanos + s.endSample() * 1_000_000_000L / 16_000));
        try {
            this.decoder = new OpusDecoder(RATE, 1);
        } catch (OpusException e) {
            throw new IllegalStateException("the Opus decoder cannot start", e);
        }
    }

    /** Receives the segments of a track. */
    @FunctionalInterface
    interface SegmentSink {
        void segment(TappedTrack track, SpeechSegment segment, long startNanos, long endNanos);
    }

    TappedTrack track() {
        return track;
    }

    long malformed() {
        return malformed;
    }

    void rtp(TapPacket p) {
        long ts = p.timestamp();
        if (!started) {
            started = true;
            anchorNanos = p.arrivalNanos();
            expectedTimestamp = ts;
        }
        int delta = (int) (ts - expectedTimestamp); // signed, wraps with the 32-bit timestamp
        if (delta < 0) {
            return; // late or duplicate: its time has been filled already
        }
        if (delta > CONCEALED_GAP) {
            segmenter.skip(delta / 3);
            resampler.reset();
            decoder.resetState();
        } else {
            for (int filled = 0; filled + CONCEAL_STEP <= delta; filled += CONCEAL_STEP) {
                decode(null, 0, 0, CONCEAL_STEP);
            }
        }
        int n = decode(p.array(), p.payloadOffset(), p.payloadLength(), MAX_FRAME);
        expectedTimestamp = (ts + Math.max(n, 0)) & 0xFFFF_FFFFL;
    }

    private int decode(byte[] data, int offset, int length, int frameSize) {
        int n;
        try {
            n = decoder.decode(data, offset, length, pcm48, 0, frameSize, false);
        } catch (OpusException | RuntimeException e) {
            malformed++;
            return 0;
        }
        if (n > 0) {
            int m = resampler.process(pcm48, 0, n, pcm16, 0);
            segmenter.push(pcm16, 0, m);
        }
        return n;
    }

    /** Ends the open segment (mute, track removed, detach). */
    void flush() {
        segmenter.flush();
    }

    /** The microphone went quiet on purpose: end the segment; the timestamp jump on unmute moves the timeline. */
    void muted() {
        segmenter.flush();
    }
}
