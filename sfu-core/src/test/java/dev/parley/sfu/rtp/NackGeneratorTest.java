package dev.parley.sfu.rtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class NackGeneratorTest {
    private static final long MS = 1_000_000L;
    private final NackGenerator nacks = new NackGenerator();
    private final int[] out = new int[64];
    private long now = 1_000 * MS;

    @Test
    void aGapIsAskedForOnceTheReorderWaitHasPassed() {
        arrive(100, 101, 104);
        assertEquals(2, nacks.missing());
        assertArrayEquals(new int[0], due(now + NackGenerator.REORDER_WAIT_NANOS - 1), "not before the wait");
        assertArrayEquals(new int[] {102, 103}, due(now + NackGenerator.REORDER_WAIT_NANOS));
        assertArrayEquals(new int[0], due(now + NackGenerator.REORDER_WAIT_NANOS + MS), "not again at once");
    }

    @Test
    void aReorderedPacketIsNeverAskedFor() {
        arrive(1, 3);
        now += 5 * MS;
        assertEquals(NackGenerator.FILLED, nacks.onPacket(2, now));
        assertEquals(0, nacks.missing());
        assertArrayEquals(new int[0], due(now + 100 * MS));
        assertEquals(0, nacks.requested());
        assertEquals(0, nacks.filledAfterRequest(), "reordered, not recovered");
    }

    @Test
    void gapsAcrossTheSequenceWraparound() {
        arrive(65533, 65534, 1, 2);
        assertArrayEquals(new int[] {0, 65535}, due(now + 20 * MS));
        assertEquals(NackGenerator.FILLED, nacks.onPacket(65535, now + 40 * MS));
        assertEquals(NackGenerator.FILLED, nacks.onPacket(0, now + 40 * MS));
        assertEquals(2, nacks.filledAfterRequest());
        assertEquals(NackGenerator.DUPLICATE, nacks.onPacket(0, now + 41 * MS));
        assertEquals(NackGenerator.NEW, nacks.onPacket(3, now + 42 * MS));
    }

    @Test
    void duplicatesAndRetransmissionsOfReceivedPacketsAreDropped() {
        arrive(10, 11, 12);
        assertEquals(NackGenerator.DUPLICATE, nacks.onPacket(11, now));
        assertEquals(NackGenerator.DUPLICATE, nacks.onPacket(12, now));
        // Too old to remember: dropped rather than forwarded a second time.
        for (int s = 13; s < 13 + NackGenerator.WINDOW; s++) {
            nacks.onPacket(s, now);
        }
        assertEquals(NackGenerator.DUPLICATE, nacks.onPacket(12, now));
    }

    @Test
    void retriesFollowTheRoundTripThenGiveUp() {
        arrive(1, 3);
        long t = now + 10 * MS;
        assertArrayEquals(new int[] {2}, due(t));
        // Default round trip 100 ms: the retry comes 150 ms later, not before.
        assertArrayEquals(new int[0], due(t + 149 * MS));
        assertArrayEquals(new int[] {2}, due(t + 150 * MS));
        assertArrayEquals(new int[] {2}, due(t + 300 * MS));
        assertArrayEquals(new int[] {2}, due(t + 450 * MS));
        assertEquals(NackGenerator.MAX_REQUESTS, nacks.requested());
        assertArrayEquals(new int[0], due(t + 600 * MS), "requests spent");
        assertEquals(0, nacks.missing());
        assertEquals(1, nacks.givenUp());
        assertEquals(NackGenerator.NEW, nacks.onPacket(2, t + 700 * MS), "a straggler after giving up is still new");
    }

    @Test
    void aMissingPacketIsGivenUpAtTheDeadline() {
        arrive(1, 3);
        assertArrayEquals(new int[] {2}, due(now + 10 * MS));
        assertArrayEquals(new int[0], due(now + NackGenerator.GIVE_UP_NANOS));
        assertEquals(1, nacks.givenUp());
        assertEquals(0, nacks.missing());
    }

    @Test
    void theRoundTripIsLearntFromRetransmissions() {
        long t = now;
        for (int i = 0; i < 40; i++) {
            int lost = 1000 + 2 * i;
            nacks.onPacket(lost - 1, t);
            nacks.onPacket(lost + 1, t);
            t += 10 * MS;
            assertArrayEquals(new int[] {lost}, due(t));
            t += 20 * MS; // the retransmission comes back 20 ms after the NACK
            assertEquals(NackGenerator.FILLED, nacks.onPacket(lost, t));
        }
        assertTrue(Math.abs(nacks.roundTripNanos() - 20 * MS) < 3 * MS, "round trip " + nacks.roundTripNanos());
        // Retries now come sooner: 1.5 round trips, but not under 20 ms.
        nacks.onPacket(2000, t);
        nacks.onPacket(2002, t);
        assertArrayEquals(new int[] {2001}, due(t + 10 * MS));
        assertArrayEquals(new int[0], due(t + 39 * MS));
        assertArrayEquals(new int[] {2001}, due(t + 42 * MS), "about 30 ms after the first request, not 150");
    }

    @Test
    void aHugeJumpIsARestartNotALoss() {
        arrive(10, 11, 12 + NackGenerator.MAX_GAP + 1);
        assertEquals(0, nacks.missing());
        assertArrayEquals(new int[0], due(now + 100 * MS));
        arrive(12 + NackGenerator.MAX_GAP + 3);
        assertEquals(1, nacks.missing());
    }

    @Test
    void stateStaysBoundedAndTheOldestLossesGoFirst() {
        long t = now;
        int seq = 0;
        for (int burst = 0; burst < 2 * NackGenerator.MAX_MISSING; burst++) {
            nacks.onPacket(seq, t);
            seq += 2; // every other packet lost
        }
        assertEquals(NackGenerator.MAX_MISSING, nacks.missing());
        int[] big = new int[NackGenerator.MAX_MISSING];
        int n = nacks.collect(t + 10 * MS, big);
        assertEquals(NackGenerator.MAX_MISSING, n);
        int[] asked = Arrays.copyOf(big, n);
        Arrays.sort(asked);
        int newestLost = seq - 3;
        assertEquals(newestLost - 2 * (NackGenerator.MAX_MISSING - 1), asked[0], "only the newest losses are kept");
        assertEquals(newestLost, asked[n - 1]);
        assertEquals(NackGenerator.MAX_MISSING - 1, nacks.givenUp(), "2 x 256 packets sent, 511 lost, 256 kept");
    }

    @Test
    void aLongGapKeepsItsNewestNumbers() {
        arrive(1000, 1401);
        assertEquals(NackGenerator.MAX_MISSING, nacks.missing());
        assertEquals(400 - NackGenerator.MAX_MISSING, nacks.givenUp());
        int[] all = new int[NackGenerator.MAX_MISSING];
        int n = nacks.collect(now + 10 * MS, all);
        int[] asked = Arrays.copyOf(all, n);
        Arrays.sort(asked);
        assertEquals(1401 - NackGenerator.MAX_MISSING, asked[0]);
        assertEquals(1400, asked[n - 1]);
        assertEquals(NackGenerator.NEW, nacks.onPacket(1001, now), "given up, but a first arrival all the same");
    }

    @Test
    void aFullBatchLeavesTheRestForTheNextTick() {
        nacks.onPacket(0, now);
        nacks.onPacket(101, now);
        int[] small = new int[64];
        assertEquals(64, nacks.collect(now + 10 * MS, small));
        assertEquals(36, nacks.collect(now + 11 * MS, small));
    }

    private void arrive(int... seqs) {
        for (int s : seqs) {
            nacks.onPacket(s, now);
        }
    }

    private int[] due(long at) {
        int n = nacks.collect(at, out);
        int[] r = Arrays.copyOf(out, n);
        Arrays.sort(r);
        return r;
    }
}
