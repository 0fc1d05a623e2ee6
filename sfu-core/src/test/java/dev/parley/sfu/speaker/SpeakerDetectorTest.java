package dev.parley.sfu.speaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SpeakerDetectorTest {
    private static final long MS = 1_000_000L;
    /** 1 s window, 300 ms onset, margin 6, hold 1.5 s, speech from loudness 77. */
    private final SpeakerDetector d = SpeakerDetector.forSpeech();

    /** Feeds samples every 100 ms from {@code from} for {@code millis}, the same loudness each time. */
    private long speak(String id, int loudness, long from, long millis) {
        long t = from;
        for (; t < from + millis * MS; t += 100 * MS) {
            d.observe(id, loudness, t);
        }
        return t;
    }

    @Test
    void nobodyIsTheSpeakerUntilSomeoneSpeaks() {
        long t = speak("a", 20, 0, 2000); // quiet: below the speech threshold
        assertNull(d.speaker(t));
        t = speak("a", 100, t, 100);
        assertNull(d.speaker(t - 100 * MS), "one loud sample after quiet is not speech yet");
        t = speak("a", 100, t, 200);
        assertEquals("a", d.speaker(t - 100 * MS), "300 ms of speech in a silent room names the speaker");
    }

    @Test
    void aCoughDoesNotStealTheFloorFromSomeoneTalking() {
        long t = 0;
        for (; t < 3000 * MS; t += 100 * MS) { // a talks; b is quiet
            d.observe("a", 90, t);
            d.observe("b", 10, t);
        }
        assertEquals("a", d.speaker(t));
        for (long end = t + 300 * MS; t < end; t += 100 * MS) { // b coughs, much louder than a, for 300 ms
            d.observe("a", 90, t);
            d.observe("b", 127, t);
            assertEquals("a", d.speaker(t), "b's average over the window stays below a's");
        }
        for (long end = t + 2000 * MS; t < end; t += 100 * MS) {
            d.observe("a", 90, t);
            d.observe("b", 10, t);
            assertEquals("a", d.speaker(t));
        }
    }

    @Test
    void someoneWhoStartsTalkingWhenTheSpeakerFellSilentTakesTheFloorWithinHalfASecond() {
        long t = 0;
        for (; t < 3000 * MS; t += 100 * MS) {
            d.observe("a", 90, t);
            d.observe("b", 5, t);
        }
        assertEquals("a", d.speaker(t));
        for (long end = t + 2000 * MS; t < end; t += 100 * MS) { // both quiet: a keeps the floor
            d.observe("a", 5, t);
            d.observe("b", 5, t);
            assertEquals("a", d.speaker(t));
        }
        long start = t;
        while (!"b".equals(d.speaker(t - 100 * MS))) {
            d.observe("a", 5, t);
            d.observe("b", 100, t);
            t += 100 * MS;
            assertTrue(t - start <= 500 * MS, "b speaks and is not named after " + (t - start) / MS + " ms");
        }
    }

    @Test
    void theLoudestTakesTheFloorFirst() {
        long t = 0;
        for (int i = 0; i < 10; i++, t += 100 * MS) {
            d.observe("a", 85, t);
            d.observe("b", 110, t);
        }
        assertEquals("b", d.speaker(t));
    }

    @Test
    void aLouderChallengerWaitsForTheHoldTimeAndNeedsTheMargin() {
        long t = speak("a", 90, 0, 1000);
        assertEquals("a", d.speaker(t));
        // b is louder but within the margin: a keeps the floor however long it lasts.
        long u = t;
        for (; u < t + 3000 * MS; u += 100 * MS) {
            d.observe("a", 90, u);
            d.observe("b", 94, u);
            assertEquals("a", d.speaker(u));
        }
        // b now clearly louder; a has held the floor well over 1.5 s, so b takes it.
        for (long end = u + 1000 * MS; u < end; u += 100 * MS) {
            d.observe("a", 80, u);
            d.observe("b", 120, u);
        }
        assertEquals("b", d.speaker(u));
    }

    @Test
    void aShortBurstRightAfterASwitchDoesNotTakeTheFloorBack() {
        long t = speak("a", 100, 0, 1000);
        assertEquals("a", d.speaker(t));
        t = speak("b", 120, t, 1200); // a silent (no samples): its average drops out of the window
        assertEquals("a", d.speaker(t), "a has held the floor for 1.2 s only");
        t = speak("b", 120, t, 400);
        assertEquals("b", d.speaker(t));
        long since = t;
        for (; t < since + 1000 * MS; t += 100 * MS) { // a bursts back at once: b holds for 1.5 s
            d.observe("a", 127, t);
            d.observe("b", 90, t);
            assertEquals("b", d.speaker(t));
        }
    }

    @Test
    void silenceKeepsTheLastSpeakerAndLeavingDropsIt() {
        long t = speak("a", 100, 0, 1000);
        assertEquals("a", d.speaker(t));
        t += 5000 * MS;
        assertEquals("a", d.speaker(t), "everyone quiet: the last speaker stays");
        d.forget("a");
        assertNull(d.speaker(t));
        t = speak("b", 100, t, 300);
        assertEquals("b", d.speaker(t));
    }

    @Test
    void loudnessIsClampedAndBadSettingsRefused() {
        d.observe("a", 500, 0);
        d.observe("a", -4, 1);
        assertNull(d.speaker(2), "average of 127 and 0 is below the speech threshold");
        assertThrows(IllegalArgumentException.class, () -> new SpeakerDetector(0, 6, 0, 77));
        assertThrows(IllegalArgumentException.class, () -> new SpeakerDetector(1, 6, 0, 200));
        assertThrows(IllegalArgumentException.class, () -> new SpeakerDetector(100, 200, 6, 0, 77), "onset beyond the window");
        assertThrows(IllegalArgumentException.class, () -> new SpeakerDetector(100, 0, 6, 0, 77));
    }
}
