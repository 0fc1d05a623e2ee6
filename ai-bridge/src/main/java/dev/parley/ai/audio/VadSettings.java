package dev.parley.ai.audio;

import java.time.Duration;

/**
 * How speech is found and cut in a participant's audio.
 *
 * @param thresholdDb how far above the adaptive noise floor a 20 ms frame's level must be to count as speech
 * @param minLevelDbfs the level below which nothing is speech, however quiet the room (dBFS, e.g. -50)
 * @param onset how long speech must last before a segment opens (shorter clicks are ignored)
 * @param hangover how long speech may pause inside one segment; a longer silence ends it
 * @param preRoll audio kept before the detected onset (and after the last speech frame), so that soft word
 *     beginnings and endings are not clipped
 * @param minSpeech segments with less speech than this (from the first to the last speech frame) are not sent
 * @param maxSegment a segment this long is cut and sent, and speech goes on in the next one
 */
public record VadSettings(double thresholdDb, double minLevelDbfs, Duration onset, Duration hangover,
                          Duration preRoll, Duration minSpeech, Duration maxSegment) {
    /** Threshold 10 dB, floor -50 dBFS, onset 60 ms, hangover 400 ms, pre-roll 200 ms, min 300 ms, max 15 s. */
    public static VadSettings defaults() {
        return new VadSettings(10, -50, Duration.ofMillis(60), Duration.ofMillis(400), Duration.ofMillis(200),
                Duration.ofMillis(300), Duration.ofSeconds(15));
    }

    /** Checks the values; the message names the setting and the accepted range. */
    public VadSettings {
        check(thresholdDb >= 1 && thresholdDb <= 40, "ai-vad-threshold-db must be 1 to 40 dB, got " + thresholdDb);
        check(minLevelDbfs >= -90 && minLevelDbfs <= -10,
                "ai-vad-min-level-dbfs must be -90 to -10 dBFS, got " + minLevelDbfs);
        check(onset != null && !onset.isNegative() && onset.toMillis() <= 1000,
                "ai-vad-onset must be 0 to 1 s, got " + onset);
        check(hangover != null && hangover.toMillis() >= 20 && hangover.toMillis() <= 5000,
                "ai-vad-hangover must be 20 ms to 5 s, got " + hangover);
        check(preRoll != null && !preRoll.isNegative() && preRoll.toMillis() <= 2000,
                "ai-vad-pre-roll must be 0 to 2 s, got " + preRoll);
        check(minSpeech != null && !minSpeech.isNegative() && minSpeech.toMillis() <= 10_000,
                "ai-segment-min must be 0 to 10 s, got " + minSpeech);
        check(maxSegment != null && maxSegment.toMillis() >= 1000 && maxSegment.toMillis() <= 60_000,
                "ai-segment-max must be 1 s to 60 s, got " + maxSegment);
        check(minSpeech.compareTo(maxSegment) < 0,
                "ai-segment-min (" + minSpeech + ") must be shorter than ai-segment-max (" + maxSegment + ")");
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
