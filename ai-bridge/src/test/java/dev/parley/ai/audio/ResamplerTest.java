package dev.parley.ai.audio;

import static dev.parley.ai.audio.TestSignals.amplitudeAt;
import static dev.parley.ai.audio.TestSignals.tone;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Tones through the resampler: in the passband they come out at the same amplitude and frequency; above the output's
 * Nyquist frequency they must not fold back (aliasing) as audible tones; upsampling adds no images.
 */
class ResamplerTest {
    private static final double AMPLITUDE = 10_000;

    /** The output's amplitude at {@code outHz}, in dB relative to the input tone, over the steady middle part. */
    private static double gainDb(int inRate, int outRate, double inHz, double outHz) {
        short[] out = TestSignals.resample(tone(inHz, AMPLITUDE, inRate, 1000), inRate, outRate);
        int from = out.length / 5;
        int to = out.length - out.length / 5;
        return 20 * Math.log10(Math.max(amplitudeAt(out, from, to, outHz, outRate), 1e-3) / AMPLITUDE);
    }

    @Test
    void from48kHzThePassbandIsKept() {
        for (double hz : new double[] {100, 300, 1000, 3000, 5000}) {
            double g = gainDb(48_000, 16_000, hz, hz);
            assertEquals(0, g, 0.3, hz + " Hz comes out at " + g + " dB");
        }
        assertTrue(gainDb(48_000, 16_000, 6000, 6000) > -1.5, "6 kHz is still nearly kept");
    }

    @Test
    void from48kHzFrequenciesAboveEightKilohertzDoNotFoldBack() {
        // Each would land on 16 kHz - f (or f - 16 kHz) after decimation by 3.
        for (double hz : new double[] {9000, 10_000, 12_000, 14_000, 20_000}) {
            double alias = Math.abs(16_000 - hz);
            double g = gainDb(48_000, 16_000, hz, alias);
            assertTrue(g < -60, hz + " Hz folds back to " + alias + " Hz at " + g + " dB");
        }
    }

    @Test
    void from44100HzTheSameHolds() {
        assertEquals(0, gainDb(44_100, 16_000, 1000, 1000), 0.3);
        assertEquals(0, gainDb(44_100, 16_000, 4000, 4000), 0.3);
        assertTrue(gainDb(44_100, 16_000, 11_000, 5000) < -60, "11 kHz must not alias to 5 kHz");
        assertTrue(gainDb(44_100, 16_000, 15_000, 1000) < -60, "15 kHz must not alias to 1 kHz");
    }

    @Test
    void upsamplingFrom8kHzAddsNoImages() {
        assertEquals(0, gainDb(8000, 16_000, 1000, 1000), 0.3);
        // An 8 kHz stream's 1 kHz tone has its first image at 7 kHz once zero-stuffed to 16 kHz.
        assertTrue(gainDb(8000, 16_000, 1000, 7000) < -60, "image at 7 kHz");
    }

    @Test
    void theLengthFollowsTheRatioAndTheFirstSampleIsOnTime() {
        short[] in = tone(440, AMPLITUDE, 48_000, 1000);
        short[] out = TestSignals.resample(in, 48_000, 16_000);
        assertEquals(16_000, out.length, 2);
        // A tone starting at t=0 in a sine phase: the output's sine is in the same phase (no delay).
        short[] ref = tone(440, AMPLITUDE, 16_000, 1000);
        for (int i = 4000; i < 4100; i++) {
            assertEquals(ref[i], out[i], 150, "sample " + i);
        }
    }

    @Test
    void streamingInOddChunksGivesTheSameOutputAsOneCall() {
        short[] in = TestSignals.speechLike(48_000, 700, 7);
        short[] whole = TestSignals.resample(in, 48_000, 16_000);
        Resampler r = new Resampler(48_000, 16_000);
        short[] out = new short[whole.length + 64];
        int n = 0;
        int at = 0;
        int[] chunks = {1, 7, 960, 333, 5000, 17};
        short[] buffer = new short[r.maxOutput(5000)];
        for (int c = 0; at < in.length; c++) {
            int len = Math.min(chunks[c % chunks.length], in.length - at);
            int m = r.process(in, at, len, buffer, 0);
            System.arraycopy(buffer, 0, out, n, m);
            n += m;
            at += len;
        }
        n += r.flush(out, n);
        assertArrayEquals(whole, Arrays.copyOf(out, n));
    }

    @Test
    void unusableRatesAreRefusedWithAReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Resampler(44_101, 16_000));
        assertTrue(e.getMessage().contains("phases"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Resampler(0, 16_000));
    }
}
