package dev.parley.sfu.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ReceiveStatisticsTest {
    private static final long MS = 1_000_000L;
    private final byte[] block = new byte[24];

    @Test
    void countsAnUnbrokenStream() {
        ReceiveStatistics s = new ReceiveStatistics(0x77, 90000);
        assertFalse(s.hasReceived());
        for (int seq = 1000; seq < 1100; seq++) {
            assertTrue(s.onPacket(seq, seq * 3000, seq * 33 * MS));
        }
        assertTrue(s.hasReceived());
        assertEquals(100, s.expectedPackets());
        assertEquals(100, s.receivedPackets());
        assertEquals(0, s.cumulativeLost());
        assertEquals(1099, s.extendedHighestSequenceNumber());
        assertEquals(24, s.fillReportBlock(block, 0, 0));
        assertEquals(0x77, ReportBlock.ssrc(block, 0));
        assertEquals(0, ReportBlock.fractionLost(block, 0));
        assertEquals(1099, ReportBlock.extendedHighestSequenceNumber(block, 0));
    }

    @Test
    void fractionLostCoversOnlyTheIntervalSinceTheLastReport() {
        ReceiveStatistics s = new ReceiveStatistics(1, 48000);
        for (int seq = 0; seq < 100; seq++) {
            if (seq % 10 != 5) {
                s.onPacket(seq, seq * 960, seq * 20 * MS);
            }
        }
        s.fillReportBlock(block, 0, 0);
        assertEquals(10 * 256 / 100, ReportBlock.fractionLost(block, 0));
        assertEquals(10, ReportBlock.cumulativeLost(block, 0));
        assertEquals(10 * 256 / 100, s.lastFractionLost());

        for (int seq = 100; seq < 200; seq++) {
            s.onPacket(seq, seq * 960, seq * 20 * MS);
        }
        s.fillReportBlock(block, 0, 0);
        assertEquals(0, ReportBlock.fractionLost(block, 0), "no loss in the second interval");
        assertEquals(10, ReportBlock.cumulativeLost(block, 0));

        s.fillReportBlock(block, 0, 0);
        assertEquals(0, ReportBlock.fractionLost(block, 0), "an empty interval reports no loss");

        s.onPacket(203, 203 * 960, 203 * 20 * MS);
        s.fillReportBlock(block, 0, 0);
        assertEquals(3 * 256 / 4, ReportBlock.fractionLost(block, 0));
    }

    @Test
    void extendsTheSequenceAcrossWraparound() {
        ReceiveStatistics s = new ReceiveStatistics(1, 90000);
        for (int i = 0; i < 100; i++) {
            s.onPacket((65500 + i) & 0xFFFF, i * 3000, i * 10 * MS);
        }
        assertEquals(65536 + 63, s.extendedHighestSequenceNumber());
        assertEquals(100, s.expectedPackets());
        assertEquals(0, s.cumulativeLost());
        s.fillReportBlock(block, 0, 0);
        assertEquals(0x1003F, ReportBlock.extendedHighestSequenceNumber(block, 0), "one cycle, sequence 63");
    }

    @Test
    void reorderingAroundTheWrapIsNotLoss() {
        ReceiveStatistics s = new ReceiveStatistics(1, 90000);
        int[] order = {65533, 65534, 1, 65535, 0, 2, 3};
        for (int seq : order) {
            assertTrue(s.onPacket(seq, 0, 0));
        }
        assertEquals(65536 + 3, s.extendedHighestSequenceNumber());
        assertEquals(7, s.expectedPackets());
        assertEquals(0, s.cumulativeLost());
    }

    @Test
    void duplicatesMakeLossNegative() {
        ReceiveStatistics s = new ReceiveStatistics(1, 90000);
        for (int seq : new int[] {1, 2, 2, 3, 3, 3}) {
            s.onPacket(seq, 0, 0);
        }
        assertEquals(-3, s.cumulativeLost());
        s.fillReportBlock(block, 0, 0);
        assertEquals(-3, ReportBlock.cumulativeLost(block, 0));
        assertEquals(0, ReportBlock.fractionLost(block, 0));
    }

    @Test
    void gapBelowMaxDropoutIsLoss() {
        ReceiveStatistics s = new ReceiveStatistics(1, 90000);
        s.onPacket(10, 0, 0);
        assertTrue(s.onPacket(10 + ReceiveStatistics.MAX_DROPOUT - 1, 0, 0));
        assertEquals(ReceiveStatistics.MAX_DROPOUT - 2, s.cumulativeLost());
    }

    @Test
    void aStrayJumpIsIgnored() {
        ReceiveStatistics s = new ReceiveStatistics(1, 90000);
        for (int seq = 1; seq <= 10; seq++) {
            s.onPacket(seq, 0, 0);
        }
        assertFalse(s.onPacket(30000, 0, 0));
        assertTrue(s.onPacket(11, 0, 0));
        assertEquals(11, s.extendedHighestSequenceNumber());
        assertEquals(11, s.receivedPackets());
        assertEquals(0, s.cumulativeLost());
        assertFalse(s.onPacket(10 - ReceiveStatistics.MAX_MISORDER - 5, 0, 0), "far behind is a jump too");
    }

    @Test
    void twoSequentialPacketsAfterAJumpRestartTheStatistics() {
        ReceiveStatistics s = new ReceiveStatistics(1, 90000);
        for (int seq = 1; seq <= 10; seq += 2) {
            s.onPacket(seq, 0, 0);
        }
        assertEquals(4, s.cumulativeLost());
        assertFalse(s.onPacket(40000, 0, 0));
        assertTrue(s.onPacket(40001, 0, 0));
        assertEquals(40001, s.extendedHighestSequenceNumber());
        assertEquals(1, s.expectedPackets());
        assertEquals(0, s.cumulativeLost(), "a restarted sender starts clean");
        s.onPacket(40002, 0, 0);
        assertEquals(2, s.receivedPackets());
    }

    @Test
    void jitterIsZeroForConstantTransit() {
        ReceiveStatistics s = new ReceiveStatistics(1, 48000);
        long start = 123_456_789_000L;
        for (int i = 0; i < 200; i++) {
            s.onPacket(i, 5000 + i * 960, start + i * 20 * MS + 7 * MS);
        }
        assertEquals(0, s.jitter());
    }

    @Test
    void jitterFollowsRfc3550OnAnAlternatingDelayPattern() {
        // 8 kHz, 20 ms packets (160 ticks); every other packet arrives 5 ms (40 ticks) late, so |D| is always 40.
        ReceiveStatistics s = new ReceiveStatistics(1, 8000);
        double reference = 0;
        long origin = -4_000_000_000_000_000_000L;         // nanoTime may be any value, negative included
        int lastTransit = 0;
        for (int i = 0; i < 400; i++) {
            int late = i % 2 == 1 ? 40 : 0;
            int ts = 1_000_000 + i * 160;
            s.onPacket(i, ts, origin + i * 20 * MS + late * 125_000L);
            int transit = i * 160 + late - ts;
            if (i > 0) {
                reference += (Math.abs(transit - lastTransit) - reference) / 16;
            }
            lastTransit = transit;
            if (i > 0 && i % 25 == 0) {
                assertEquals(reference, s.jitterSeconds() * 8000, 1.0, "after packet " + i);
            }
        }
        assertEquals(40, s.jitter(), 1);
        assertEquals(0.005, s.jitterSeconds(), 0.0002);
        s.fillReportBlock(block, 0, 0);
        assertEquals(s.jitter(), ReportBlock.jitter(block, 0));
    }

    @Test
    void latePacketsAndDuplicatesDoNotMoveJitter() {
        ReceiveStatistics s = new ReceiveStatistics(1, 8000);
        for (int i = 0; i < 10; i++) {
            s.onPacket(i, i * 160, i * 20 * MS);
        }
        s.onPacket(3, 3 * 160, 500 * MS);
        s.onPacket(9, 9 * 160, 600 * MS);
        assertEquals(0, s.jitter());
    }

    @Test
    void timestampDiscontinuityIsNotJitter() {
        ReceiveStatistics s = new ReceiveStatistics(1, 90000);
        s.onPacket(1, 0, 0);
        s.onPacket(2, 3000, 33_333_333L);
        s.onPacket(3, 3000 + 90000 * 60, 66_666_666L);      // encoder restarted its clock a minute ahead
        assertEquals(0, s.jitter());
    }

    @Test
    void reportsLsrAndDlsr() {
        ReceiveStatistics s = new ReceiveStatistics(9, 90000);
        s.onPacket(1, 0, 0);
        s.fillReportBlock(block, 0, 0);
        assertEquals(0, ReportBlock.lastSenderReport(block, 0), "no SR yet");
        assertEquals(0, ReportBlock.delaySinceLastSenderReport(block, 0));

        long ntp = 0xE5A1_B2C3_D4E5_F607L;
        s.onSenderReport(ntp, 1000 * MS);
        s.fillReportBlock(block, 0, 3500 * MS);
        assertEquals(0xB2C3D4E5, ReportBlock.lastSenderReport(block, 0));
        assertEquals(65536 * 5 / 2, ReportBlock.delaySinceLastSenderReport(block, 0), "2.5 s");
    }

    @Test
    void rejectsNonPositiveClockRate() {
        assertThrows(IllegalArgumentException.class, () -> new ReceiveStatistics(1, 0));
    }
}
