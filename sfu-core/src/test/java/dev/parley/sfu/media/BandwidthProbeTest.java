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

    /** Runs a probe toward {@code target} from {@code start}; {@code delivered} of each byte arrives, at pace. */
    private static long probe(BandwidthProbe p, long target, long start, double delivered) {
        int seq = 100;
        assertTrue(p.request(target, start, seq));
        long now = start;
        long arrival = 0;
        while (p.sending()) {
            now += TICK;
            int due = p.paddingDue(now, 0, seq);
            for (int sent = 0; sent < due; sent += 275) {
                arrival += (long) (275 * 8e9 / (target * delivered));
                p.onFeedback(seq++ & 0xFFFF, 275, true, arrival);
            }
        }
        return p.result(now + BandwidthProbe.SETTLE_NANOS);
    }

    @Test
    void aProbeThatGetsThroughReportsTheRateThatArrived() {
        BandwidthProbe p = new BandwidthProbe();
        long result = probe(p, 2_000_000, 0, 1.0);
        assertTrue(result > 1_800_000 && result <= 2_000_000, "measured " + result);
    }

    @Test
    void aProbeThatDoesNotGetThroughChangesNothingAndTheNextWaitsLonger() {
        BandwidthProbe p = new BandwidthProbe();
        assertEquals(-1, probe(p, 2_000_000, 0, 0.4), "only 40% of the target arrived");
        // The probe ends on the tick at its duration; its result is taken once its feedback settled.
        long afterFirst = BandwidthProbe.DURATION_NANOS + BandwidthProbe.SETTLE_NANOS;
        assertFalse(p.request(2_000_000, afterFirst + BandwidthProbe.MIN_INTERVAL_NANOS - MS, 0), "too soon");
        assertEquals(-1, probe(p, 2_000_000, afterFirst + BandwidthProbe.MIN_INTERVAL_NANOS, 0.4));
        long afterSecond = afterFirst + BandwidthProbe.MIN_INTERVAL_NANOS + BandwidthProbe.DURATION_NANOS
                + BandwidthProbe.SETTLE_NANOS;
        assertFalse(p.request(2_000_000, afterSecond + BandwidthProbe.MIN_INTERVAL_NANOS, 0),
                "the wait doubled after a second failure");
        assertTrue(p.request(2_000_000, afterSecond + 2 * BandwidthProbe.MIN_INTERVAL_NANOS, 0));
    }

    @Test
    void mediaSentDuringTheProbeCountsTowardItsTarget() {
        BandwidthProbe p = new BandwidthProbe();
        assertTrue(p.request(1_000_000, 0, 0));
        int bytesPerTick = (int) (1_000_000 * TICK / 8e9);
        assertEquals(0, p.paddingDue(TICK, bytesPerTick, 0), "media alone met the target");
        long later = 2 * TICK - MS; // still within the probe
        assertEquals((int) (1_000_000 * (later - TICK) / 8e9), p.paddingDue(later, 0, 0), 1);
        assertFalse(p.request(1_000_000, later, 0), "one probe at a time");
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
