package dev.parley.sfu.speaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SpeakerDetectorTest {
    private static final long MS = 1_000_000L;
    /** 1 s window, margin 6, hold 1.5 s, speech from loudness 77. */
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
        t = speak("a", 100, t, 500);
        assertNull(d.speaker(t), "half a second of speech after quiet does not reach the average yet");
        t = speak("a", 100, t, 500);
        assertEquals("a", d.speaker(t));
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
    }
}
