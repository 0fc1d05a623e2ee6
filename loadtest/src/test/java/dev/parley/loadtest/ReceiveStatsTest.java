package dev.parley.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.sfu.packet.PacketBuffer;
import org.junit.jupiter.api.Test;

/** Counting from the RTP header: losses as sequence gaps (across the 16-bit wrap), duplicates and reordering, jitter. */
class ReceiveStatsTest {
    private final PacketBuffer packet = new PacketBuffer();

    private void receive(ReceiveStats stats, int ssrc, int pt, int seq, int timestamp, long atNanos) {
        byte[] b = new byte[112];
        b[0] = (byte) 0x80;
        b[1] = (byte) pt;
        b[2] = (byte) (seq >>> 8);
        b[3] = (byte) seq;
        SyntheticPeer.putInt(b, 4, timestamp);
        SyntheticPeer.putInt(b, 8, ssrc);
        packet.copyFrom(b, 0, b.length);
        stats.onRtp(packet, atNanos);
    }

    private static ReceiveStats.Totals totals(ReceiveStats stats) {
        ReceiveStats.Totals t = new ReceiveStats.Totals();
        stats.addTo(t);
        return t;
    }

    @Test
    void gapsAcrossTheSequenceWrapAreLosses() {
        ReceiveStats stats = new ReceiveStats();
        int seq = 65_530;
        for (int i = 0; i < 20; i++) {
            if (i != 4 && i != 9) { // 65534 and 3 never arrive
                receive(stats, 7, 111, (seq + i) & 0xFFFF, 960 * i, i * 20_000_000L);
            }
        }
        ReceiveStats.Totals t = totals(stats);
        assertEquals(18, t.packets);
        assertEquals(20, t.expected);
        assertEquals(2, t.lost());
        assertEquals(1, t.streams);
        assertEquals(18 * 112, t.bytes);
    }

    @Test
    void reorderingIsNoLossAndEachSsrcCountsApart() {
        ReceiveStats stats = new ReceiveStats();
        int[] order = {100, 102, 101, 103, 105, 104};
        for (int seq : order) {
            receive(stats, 1, 96, seq, 0, 0);
            receive(stats, 2, 96, seq + 30_000, 0, 0);
        }
        for (int ssrc = 3; ssrc < 40; ssrc++) { // more streams than the first table holds
            receive(stats, ssrc, 96, 1, 0, 0);
        }
        ReceiveStats.Totals t = totals(stats);
        assertEquals(12 + 37, t.packets);
        assertEquals(0, t.lost());
        assertEquals(39, stats.streams());
    }

    @Test
    void jitterFollowsRfc3550OnTheOfferedClockRate() {
        ReceiveStats stats = new ReceiveStats();
        int[] rates = new int[128];
        rates[111] = 48_000;
        stats.clockRates(rates);
        // Evenly paced: no jitter.
        for (int i = 0; i < 50; i++) {
            receive(stats, 9, 111, i, 960 * i, i * 20_000_000L);
        }
        assertEquals(0.0, totals(stats).meanJitterMillis(), 0.01);
        // Every other packet 4 ms late: |D| alternates 4 ms, so the estimate converges towards 4 ms.
        for (int i = 50; i < 400; i++) {
            receive(stats, 9, 111, i, 960 * i, i * 20_000_000L + (i % 2 == 0 ? 4_000_000L : 0));
        }
        double jitter = totals(stats).meanJitterMillis();
        assertTrue(jitter > 3.5 && jitter < 4.1, "jitter " + jitter);
    }
}
