package dev.parley.sfu.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.sfu.rtp.PaddingPacket;
import dev.parley.sfu.rtp.RtpHeader;
import dev.parley.sfu.rtp.TransportSequenceExtension;
import org.junit.jupiter.api.Test;

class BandwidthProbeTest {
    private static final long MS = 1_000_000L;
    private static final long TICK = 50 * MS;

    private static final long PROBE = BandwidthProbe.RAMP_NANOS + BandwidthProbe.HOLD_NANOS;

    /**
     * Runs a probe toward {@code target} (or {@code fallback}) from {@code start}, ramping from 0; {@code delivered}
     * of each byte arrives, at pace, nothing is lost; returns its result once settled.
     */
    private static long probe(BandwidthProbe p, long target, long fallback, long start, double delivered) {
        int seq = 100;
        assertTrue(p.request(target, fallback, 0, start, seq));
        long now = start;
        long arrival = 0;
        while (p.sending()) {
            now += TICK;
            long rate = p.rateAt(now);
            int due = p.paddingDue(now, 0, seq);
            for (int sent = 0; sent < due; sent += 275) {
                arrival += (long) (275 * 8e9 / (rate * delivered));
                p.onFeedback(seq++ & 0xFFFF, 275, true, arrival);
            }
            p.onFeedbackEnd(false, now);
        }
        return p.result(now + BandwidthProbe.SETTLE_NANOS);
    }

    @Test
    void aProbeThatGetsThroughReportsItsTarget() {
        BandwidthProbe p = new BandwidthProbe();
        assertEquals(2_000_000, probe(p, 2_000_000, 600_000, 0, 1.0));
    }

    @Test
    void theProbeRampsUpToItsTargetThenHoldsIt() {
        BandwidthProbe p = new BandwidthProbe();
        assertTrue(p.request(2_000_000, 600_000, 400_000, 0, 0));
        assertEquals(400_000, p.rateAt(0));
        assertEquals(1_200_000, p.rateAt(BandwidthProbe.RAMP_NANOS / 2));
        assertEquals(2_000_000, p.rateAt(BandwidthProbe.RAMP_NANOS));
        assertEquals(2_000_000, p.rateAt(BandwidthProbe.RAMP_NANOS + BandwidthProbe.HOLD_NANOS / 2));
    }

    @Test
    void aProbeThatDoesNotGetThroughChangesNothingAndAfterTwoTheFallbackIsTried() {
        BandwidthProbe p = new BandwidthProbe();
        assertEquals(-1, probe(p, 2_000_000, 600_000, 0, 0.4), "only 40% of the target arrived");
        // The probe ends on the tick at its duration; its result is taken once its feedback settled.
        long afterFirst = PROBE + BandwidthProbe.SETTLE_NANOS;
        assertFalse(p.request(2_000_000, 600_000, 0, afterFirst + BandwidthProbe.FAILURE_INTERVAL_NANOS - MS, 0),
                "too soon");
        long second = afterFirst + BandwidthProbe.FAILURE_INTERVAL_NANOS;
        assertEquals(-1, probe(p, 2_000_000, 600_000, second, 0.4));
        assertEquals(2_000_000, p.targetBps(), "after one failure, the target still");
        long third = second + PROBE + BandwidthProbe.SETTLE_NANOS + BandwidthProbe.FAILURE_INTERVAL_NANOS;
        assertEquals(600_000, probe(p, 2_000_000, 600_000, third, 1.0), "after two, the fallback, which fits");
        long fourth = third + PROBE + BandwidthProbe.SETTLE_NANOS + BandwidthProbe.SUCCESS_INTERVAL_NANOS;
        assertTrue(p.request(2_000_000, 600_000, 0, fourth, 0), "soon after a success");
        assertEquals(2_000_000, p.targetBps(), "then the target again");
    }

    @Test
    void afterALayerOverflowedProbingBacksOff() {
        BandwidthProbe p = new BandwidthProbe();
        p.backOff(0);
        assertFalse(p.request(2_000_000, 600_000, 0, BandwidthProbe.BACK_OFF_NANOS - MS, 0));
        assertTrue(p.request(2_000_000, 600_000, 0, BandwidthProbe.BACK_OFF_NANOS, 0));
    }

    @Test
    void lossOrOveruseStopsAProbeAtOnce() {
        BandwidthProbe p = new BandwidthProbe();
        assertTrue(p.request(2_000_000, 600_000, 0, 0, 0));
        assertTrue(p.paddingDue(TICK, 0, 0) > 0);
        p.onFeedback(0, 275, true, 0);
        p.onFeedback(1, 275, false, 0);
        assertFalse(p.onFeedbackEnd(false, TICK), "one lost packet is tolerated");
        p.onFeedback(2, 275, false, 0);
        assertTrue(p.onFeedbackEnd(false, TICK), "two are not");
        assertFalse(p.sending());
        assertEquals(0, p.paddingDue(2 * TICK, 0, 3), "no more padding");

        BandwidthProbe q = new BandwidthProbe();
        assertTrue(q.request(2_000_000, 600_000, 0, 0, 0));
        assertTrue(q.onFeedbackEnd(true, TICK), "the delay detector saw overuse");
        assertFalse(q.sending());
    }

    @Test
    void mediaSentDuringTheProbeCountsTowardItsRate() {
        BandwidthProbe p = new BandwidthProbe();
        assertTrue(p.request(1_000_000, 500_000, 1_000_000, 0, 0));
        int bytesPerTick = (int) (1_000_000 * TICK / 8e9);
        assertEquals(0, p.paddingDue(TICK, bytesPerTick, 0), "media alone met the rate");
        long later = 2 * TICK - MS; // still within the probe
        assertEquals((int) (1_000_000 * (later - TICK) / 8e9), p.paddingDue(later, 0, 0), 1);
        assertFalse(p.request(1_000_000, 500_000, 0, later, 0), "one probe at a time");
    }

    @Test
    void paddingPacketsAreValidRtpWithASlotForTheTransportSequence() {
        byte[] b = new byte[400];
        int len = PaddingPacket.write(b, 0, 97, 65535, 1234, 0x12345678, TransportSequenceExtension.PARLEY_ID, 255);
        assertEquals(PaddingPacket.HEADER_LENGTH + 255, len);
        assertTrue(RtpHeader.isValid(b, 0, len));
        assertEquals(0x12345678, RtpHeader.ssrc(b, 0));
        assertEquals(65535, RtpHeader.sequenceNumber(b, 0));
        assertTrue(TransportSequenceExtension.write(b, 0, len, TransportSequenceExtension.PARLEY_ID, 4242));
        assertEquals(4242, TransportSequenceExtension.read(b, 0, len, TransportSequenceExtension.PARLEY_ID));
        assertEquals(255, b[len - 1] & 0xFF, "the last byte counts the padding");
    }
}
