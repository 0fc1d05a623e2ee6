package dev.parley.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.sfu.packet.PacketBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Percentiles of known distributions, to the histogram's promised precision (1/128 of the value). */
class LatencyHistogramTest {
    private static final double PRECISION = 1.0 / 128;

    private static void assertNear(long expected, long actual, String what) {
        assertTrue(actual >= expected && actual <= expected + Math.ceil(expected * PRECISION),
                what + ": expected " + expected + " (at most 1/128 above), got " + actual);
    }

    @Test
    void uniformLatenciesGiveTheirPercentiles() {
        LatencyHistogram h = new LatencyHistogram();
        for (int us = 1; us <= 100_000; us++) { // 1 µs to 100 ms, one each
            h.record(us * 1000L);
        }
        assertEquals(100_000, h.count());
        assertEquals(100_000_000L, h.max());
        assertNear(50_000_000L, h.quantile(0.50), "p50");
        assertNear(90_000_000L, h.quantile(0.90), "p90");
        assertNear(99_000_000L, h.quantile(0.99), "p99");
        assertNear(99_900_000L, h.quantile(0.999), "p99.9");
        assertEquals(100_000_000L, h.quantile(1.0), "the top quantile is the exact maximum");
        assertNear(1000, h.quantile(0.0), "the lowest");
    }

    @Test
    void aLongTailMatchesTheExactQuantilesOfTheSamples() {
        SplittableRandom random = new SplittableRandom(7);
        long[] samples = new long[200_000];
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 0; i < samples.length; i++) {
            // mostly ~300 µs, exponential tail, and 0.5% stalls of 5-50 ms
            long v = (long) (250_000 - 100_000 * Math.log(1 - random.nextDouble()));
            if (random.nextInt(200) == 0) {
                v = 5_000_000 + random.nextLong(45_000_000);
            }
            samples[i] = v;
            h.record(v);
        }
        Arrays.sort(samples);
        for (double q : new double[] {0.5, 0.9, 0.99, 0.999}) {
            long exact = samples[(int) Math.ceil(q * samples.length) - 1];
            long got = h.quantile(q);
            assertTrue(got >= exact && got <= exact + exact * PRECISION + 1,
                    "quantile " + q + ": exact " + exact + ", histogram " + got);
        }
        assertEquals(samples[samples.length - 1], h.max());
    }

    @Test
    void smallValuesAreExactAndHugeOnesClampWithAnExactMax() {
        LatencyHistogram h = new LatencyHistogram();
        for (long v = 0; v < 128; v++) {
            h.record(v);
        }
        assertEquals(63, h.quantile(0.5));
        h.record(-5); // counts as 0
        assertEquals(0, h.quantile(1.0 / 129));
        h.record(200_000_000_000L); // 200 s, beyond the last bucket
        assertEquals(200_000_000_000L, h.max());
        assertEquals(200_000_000_000L, h.quantile(1.0));
        assertEquals(130, h.count());
    }

    @Test
    void mergedHistogramsCountLikeOne() {
        LatencyHistogram a = new LatencyHistogram();
        LatencyHistogram b = new LatencyHistogram();
        LatencyHistogram both = new LatencyHistogram();
        for (int i = 0; i < 10_000; i++) {
            long v = 1000L * (i % 997) + 17 * i;
            (i % 3 == 0 ? a : b).record(v);
            both.record(v);
        }
        LatencyHistogram merged = new LatencyHistogram();
        merged.add(a);
        merged.add(b);
        assertEquals(both.count(), merged.count());
        assertEquals(both.max(), merged.max());
        for (double q : new double[] {0.1, 0.5, 0.9, 0.99, 0.999}) {
            assertEquals(both.quantile(q), merged.quantile(q), "quantile " + q);
        }
    }

    @Test
    void everyBucketHoldsTheValuesItSaysItDoes() {
        for (long v = 1; v < (1L << 36); v = v * 3 / 2 + 1) {
            int i = LatencyHistogram.index(v);
            assertTrue(v <= LatencyHistogram.highest(i), v + " in bucket " + i);
            assertTrue(i == 0 || v > LatencyHistogram.highest(i - 1), v + " in bucket " + i);
        }
    }

    @Test
    void theSendTimeIsReadBackPastHeaderExtensionsAndOnlyWhereItWasWritten() {
        byte[] payload = new byte[100];
        payload[0] = 0x10; // a VP8 descriptor, untouched by the stamp
        SendTimestamp.write(payload, 0, 0x0123_4567_89AB_CDEFL);
        assertEquals(0x10, payload[0]);
        // RTP header with one CSRC and a one-byte-header extension of two words
        byte[] rtp = new byte[12 + 4 + 4 + 8 + payload.length];
        rtp[0] = (byte) 0x91;
        rtp[16] = (byte) 0xBE;
        rtp[17] = (byte) 0xDE;
        rtp[19] = 2;
        System.arraycopy(payload, 0, rtp, 28, payload.length);
        PacketBuffer packet = new PacketBuffer();
        packet.copyFrom(rtp, 0, rtp.length);
        assertEquals(0x0123_4567_89AB_CDEFL, SendTimestamp.read(packet));

        packet.copyFrom(rtp, 0, 28 + SendTimestamp.OFFSET + SendTimestamp.LENGTH - 1);
        assertEquals(SendTimestamp.NONE, SendTimestamp.read(packet), "a payload too short to hold it");
        byte[] padding = new byte[12 + 200];
        padding[0] = (byte) 0xA0;
        packet.copyFrom(padding, 0, padding.length);
        assertEquals(SendTimestamp.NONE, SendTimestamp.read(packet), "no marker, no time");
    }
}
