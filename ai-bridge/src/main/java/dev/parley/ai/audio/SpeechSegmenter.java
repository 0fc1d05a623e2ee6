package dev.parley.ai.audio;

import java.util.Arrays;

/**
 * Cuts a continuous 16 kHz mono stream into speech segments with a {@link VoiceActivityDetector}: a segment opens
 * when speech starts (with {@link VadSettings#preRoll()} of audio before it), stays open across pauses shorter
 * than the hangover, and ends a pre-roll's length after the last speech frame. Segments with less speech than
 * {@link VadSettings#minSpeech()} are dropped; one reaching {@link VadSettings#maxSegment()} is cut there and
 * speech continues in the next. Silence is never handed out.
 *
 * <p>Not thread-safe: one instance per stream, fed from one thread. Allocates only per segment.
 */
public final class SpeechSegmenter {
    /** Receives each finished segment, on the thread that fed the audio. */
    @FunctionalInterface
    public interface Sink {
        void segment(SpeechSegment segment);
    }

    private static final int FRAME = VoiceActivityDetector.FRAME;

    private final VoiceActivityDetector vad;
    private final Sink sink;
    private final int preRollFrames;
    private final int onsetFrames;
    private final int minSpeechFrames;
    private final int maxFrames;

    private final short[] frame = new short[FRAME];
    private int frameFill;
    private long framesSeen; // frames completed since the stream's start (the timeline, in frames)

    // The last frames outside a segment: pre-roll plus onset.
    private final short[] history;
    private final int historyFrames;
    private int historyCount; // valid frames in history, oldest at index 0

    private short[] segment = new short[16 * FRAME];
    private int segmentFrames;
    private boolean inSegment;
    private long segmentStartFrame;
    private long firstSpeechFrame;
    private long lastSpeechFrame;

    public SpeechSegmenter(VadSettings settings, Sink sink) {
        this.vad = new VoiceActivityDetector(settings);
        this.sink = sink;
        this.preRollFrames = frames(settings.preRoll().toMillis());
        this.onsetFrames = Math.max(1, (int) Math.round(settings.onset().toMillis() / 20.0));
        this.minSpeechFrames = frames(settings.minSpeech().toMillis());
        this.maxFrames = Math.max(1, frames(settings.maxSegment().toMillis()));
        this.historyFrames = preRollFrames + onsetFrames;
        this.history = new short[Math.max(1, historyFrames) * FRAME];
    }

    private static int frames(long millis) {
        return (int) ((millis + 19) / 20);
    }

    /** Feeds {@code samples[offset .. offset+length)}, the stream's next samples. */
    public void push(short[] samples, int offset, int length) {
        int i = 0;
        while (i < length) {
            int n = Math.min(FRAME - frameFill, length - i);
            System.arraycopy(samples, offset + i, frame, frameFill, n);
            frameFill += n;
            i += n;
            if (frameFill == FRAME) {
                frameFill = 0;
                onFrame();
            }
        }
    }

    /**
     * The stream had no audio for {@code samples} samples (the microphone was muted, packets were lost for long):
     * ends any open segment and moves the timeline on, without feeding the silence to the detector (which would
     * drag its noise floor down).
     */
    public void skip(long samples) {
        flush();
        long total = framesSeen * FRAME + samples;
        framesSeen = total / FRAME;
        historyCount = 0;
    }

    /** Ends the open segment, if any (handing it out when it holds enough speech), e.g. at the end of a stream. */
    public void flush() {
        if (inSegment) {
            end(false);
        }
        frameFill = 0;
    }

    /** Samples of the stream so far, on the segments' timeline. */
    public long position() {
        return framesSeen * FRAME + frameFill;
    }

    /** Whether a segment is open now. */
    public boolean inSegment() {
        return inSegment;
    }

    /** The detector, for its level and noise floor. */
    public VoiceActivityDetector detector() {
        return vad;
    }

    private void onFrame() {
        long index = framesSeen++;
        boolean speaking = vad.frame(frame, 0);
        if (!inSegment) {
            if (speaking) {
                open(index);
            } else {
                remember();
            }
            return;
        }
        append(frame);
        if (vad.lastFrameLoud()) {
            lastSpeechFrame = index;
        }
        if (!speaking) {
            end(false);
        } else if (segmentFrames >= maxFrames) {
            end(true);
            // Speech goes on: the next segment starts at the next frame, without pre-roll (it is in this one).
            inSegment = true;
            segmentStartFrame = index + 1;
            firstSpeechFrame = index + 1;
            lastSpeechFrame = index;
            segmentFrames = 0;
        }
    }

    private void open(long index) {
        inSegment = true;
        firstSpeechFrame = index - onsetFrames + 1;
        lastSpeechFrame = index;
        int fromHistory = Math.min(historyCount, onsetFrames - 1 + preRollFrames);
        segmentStartFrame = index - fromHistory;
        segmentFrames = 0;
        for (int f = historyCount - fromHistory; f < historyCount; f++) {
            appendFrom(history, f * FRAME);
        }
        append(frame);
        historyCount = 0;
    }

    private void end(boolean cut) {
        inSegment = false;
        // Keep a pre-roll's length after the last speech frame, as before the first.
        long endFrame = cut ? segmentStartFrame + segmentFrames
                : Math.min(segmentStartFrame + segmentFrames, lastSpeechFrame + 1 + preRollFrames);
        int keep = (int) (endFrame - segmentStartFrame);
        long speech = lastSpeechFrame - Math.max(firstSpeechFrame, segmentStartFrame) + 1;
        if (speech >= Math.max(1, minSpeechFrames) && keep > 0) {
            Pcm16k audio = Pcm16k.wrap(Arrays.copyOf(segment, keep * FRAME));
            sink.segment(new SpeechSegment(segmentStartFrame * FRAME, audio, speech * FRAME, cut));
        }
        // The frames after the kept part (hangover silence, never sent) are the next segment's pre-roll.
        historyCount = 0;
        if (!cut) {
            for (int f = Math.max(keep, segmentFrames - historyFrames); f < segmentFrames; f++) {
                System.arraycopy(segment, f * FRAME, history, historyCount * FRAME, FRAME);
                historyCount++;
            }
        }
        segmentFrames = 0;
    }

    private void remember() {
        if (historyFrames == 0) {
            return;
        }
        if (historyCount == historyFrames) {
            System.arraycopy(history, FRAME, history, 0, (historyFrames - 1) * FRAME);
            historyCount--;
        }
        System.arraycopy(frame, 0, history, historyCount * FRAME, FRAME);
        historyCount++;
    }

    private void append(short[] source) {
        appendFrom(source, 0);
    }

    private void appendFrom(short[] source, int offset) {
        int need = (segmentFrames + 1) * FRAME;
        if (need > segment.length) {
            segment = Arrays.copyOf(segment, Math.max(need, segment.length * 2));
        }
        System.arraycopy(source, offset, segment, segmentFrames * FRAME, FRAME);
        segmentFrames++;
    }
}
