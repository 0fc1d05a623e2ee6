package dev.parley.sfu.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * A layer counts as stopped a few of its own frame intervals after its last media packet, judged against traces of
 * packet arrivals (times in ms, RTP timestamps at 90 kHz).
 */
class LayerCadenceTest {
    private static final long MS = 1_000_000L;
    private static final long START = 10_000 * MS;

    /** Feeds {@code frames} frames of {@code packets} packets each, one frame every {@code intervalMs} from {@code fromMs}; returns the last arrival (ms). */
    private static long frames(LayerCadence c, long fromMs, int frames, long intervalMs, int packets, int[] timestamp) {
        long t = fromMs;
        for (int f = 0; f < frames; f++) {
            t = fromMs + f * intervalMs;
            timestamp[0] += (int) (intervalMs * 90);
            for (int p = 0; p < packets; p++) {
                c.onMedia(timestamp[0], START + (t + p) * MS); // a frame's packets arrive a ms apart (paced)
            }
            t += packets - 1;
        }
        return t;
    }

    @Test
    void aThirtyFpsLayerHasStoppedThreeHundredMillisecondsAfterItsLastPacket() {
        LayerCadence c = new LayerCadence();
        long last = frames(c, 0, 60, 33, 3, new int[] {12345});
        assertEquals(LayerCadence.MIN_STOP_NANOS, c.stopAfterNanos(), "three 33 ms frames are under the floor");
        assertFalse(c.stopped(START + (last + 33) * MS), "the next frame is merely due");
        assertFalse(c.stopped(START + (last + 250) * MS), "jitter of a few frames is not a stop");
        assertTrue(c.stopped(START + (last + 300) * MS));
        assertTrue(c.stopped(START + (last + 300) * MS) && LayerCadence.MIN_STOP_NANOS < LayerCadence.MAX_STOP_NANOS,
                "well before the flat 1.5 s");
    }

    @Test
    void aSlowLayerGetsThreeOfItsFrameIntervals() {
        LayerCadence c = new LayerCadence();
        long last = frames(c, 0, 20, 200, 1, new int[] {0});
        assertEquals(600 * MS, c.stopAfterNanos(), 10 * MS);
        assertFalse(c.stopped(START + (last + 550) * MS), "5 fps: three frames have not been missed yet");
        assertTrue(c.stopped(START + (last + 620) * MS));
    }

    @Test
    void anEncoderThatSlowsDownIsNotTakenForStoppedBetweenItsFrames() {
        LayerCadence c = new LayerCadence();
        int[] ts = {777};
        long last = frames(c, 0, 60, 33, 2, ts);
        // From 30 fps to 4 fps at once (bandwidth or CPU pressure): each gap of 250 ms is checked as it runs.
        long from = last + 250;
        for (int f = 0; f < 10; f++) {
            long t = from + f * 250;
            assertFalse(c.stopped(START + (t - 1) * MS), "just before slow frame " + f);
            ts[0] += 250 * 90;
            c.onMedia(ts[0], START + t * MS);
        }
        assertTrue(c.stopAfterNanos() >= 600 * MS, "its cadence is now the slow one: " + c.stopAfterNanos());
    }

    @Test
    void beforeItsCadenceIsKnownALayerStopsOnlyAfterTheLongWait() {
        LayerCadence c = new LayerCadence();
        assertTrue(c.stopped(START), "nothing arrived yet");
        c.onMedia(5, START);
        c.onMedia(5, START + MS);
        assertFalse(c.stopped(START + 1_400 * MS), "one frame: no cadence yet");
        assertTrue(c.stopped(START + 1_501 * MS));
    }

    @Test
    void retransmissionsOfOlderFramesDoNotKeepAStoppedLayerFlowing() {
        LayerCadence c = new LayerCadence();
        int[] ts = {90_000};
        long last = frames(c, 0, 30, 33, 2, ts);
        // The publisher stopped the layer, but still answers NACKs for its last frames.
        for (long t = last + 50; t < last + 400; t += 50) {
            c.onMedia(ts[0] - 33 * 90, START + t * MS);
        }
        assertTrue(c.stopped(START + (last + 300) * MS));
        // A packet of the newest frame (its last packets, late) counts: the layer is not known to have stopped.
        LayerCadence d = new LayerCadence();
        int[] ts2 = {0};
        long last2 = frames(d, 0, 30, 33, 2, ts2);
        d.onMedia(ts2[0], START + (last2 + 100) * MS);
        assertFalse(d.stopped(START + (last2 + 300) * MS));
    }

    @Test
    void aPauseIsNotTakenForTheCadenceOnceTheLayerResumes() {
        LayerCadence c = new LayerCadence();
        int[] ts = {-50}; // timestamps wrap through 0 on the way
        long last = frames(c, 0, 30, 33, 2, ts);
        assertTrue(c.stopped(START + (last + 3_000) * MS));
        ts[0] += 3_000 * 90;
        long resumed = frames(c, last + 3_000, 5, 33, 2, ts);
        assertFalse(c.stopped(START + (resumed + 100) * MS), "flows again");
        assertEquals(LayerCadence.MIN_STOP_NANOS, c.stopAfterNanos(), "the 3 s pause did not stretch its cadence");
        assertTrue(c.stopped(START + (resumed + 300) * MS));
    }
}
