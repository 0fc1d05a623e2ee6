package dev.parley.ai.audio;

/**
 * A stretch of speech cut from a stream by {@link SpeechSegmenter}.
 *
 * @param startSample where it starts in the stream, in 16 kHz samples from the stream's start (pre-roll included)
 * @param audio the samples; the segment ends at {@code startSample + audio.length()}
 * @param speechSamples samples from the first to the last speech frame (the segment minus pre-roll and tail)
 * @param cut whether it ended because it reached the maximum length rather than at a pause
 */
public record SpeechSegment(long startSample, Pcm16k audio, long speechSamples, boolean cut) {
    public long endSample() {
        return startSample + audio.length();
    }

    public long startMillis() {
        return startSample * 1000 / Pcm16k.RATE;
    }

    public long endMillis() {
        return endSample() * 1000 / Pcm16k.RATE;
    }
}
