package dev.parley.sfu.bwe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The estimator against synthetic links ({@link LinkSimulation}): deterministic, simulated time. */
class BandwidthEstimatorTest {

    @Test
    void unknownUntilTheFirstAcknowledgedRateThenAtLeastIt() {
        BandwidthEstimator e = new BandwidthEstimator();
        assertEquals(-1, e.estimateBps());
        e.onFeedbackEnd(1_000);
        assertEquals(-1, e.estimateBps(), "an empty feedback says nothing");
        e.onPacket(0, 1200, true, 5_000_000);
        e.onFeedbackEnd(100_000_000);
        assertEquals(-1, e.estimateBps(), "one packet measures no rate: the initial guess is not given out");
        // 1.2 Mbit/s for 0.6 s: a 1200-byte packet every 8 ms.
        for (int i = 1; i <= 75; i++) {
            e.onPacket(i * 8_000_000L, 1200, true, 5_000_000 + i * 8_000_000L);
        }
        e.onFeedbackEnd(700_000_000);
        assertTrue(e.estimateBps() >= 1_100_000, "raised to what got through: " + e.estimateBps());
        assertEquals(1_200_000, e.acknowledgedBps(), 30_000);
    }

    @Test
    void oneOveruseAtMostHalvesAnApplicationLimitedRate() {
        AimdRateController aimd = new AimdRateController(2_000_000, 30_000, 20_000_000);
        assertEquals(1_000_000, aimd.update(BandwidthUsage.OVERUSING, 200_000, 1_000_000_000L), 1);
        assertEquals(1_000_000, aimd.update(BandwidthUsage.OVERUSING, 200_000, 1_100_000_000L), 1,
                "not again within the decrease interval");
        assertEquals(500_000, aimd.update(BandwidthUsage.OVERUSING, 200_000, 1_400_000_000L), 1);
        assertEquals(170_000, new AimdRateController(300_000, 30_000, 20_000_000)
                .update(BandwidthUsage.OVERUSING, 200_000, 0), 1, "0.85 x acknowledged when that is the smaller cut");
    }

    @Test
    void rejectsInconsistentLimits() {
        assertThrows(IllegalArgumentException.class, () -> new BandwidthEstimator(10, 20, 30));
        assertThrows(IllegalArgumentException.class, () -> new BandwidthEstimator(100, 0, 300));
    }

    @Test
    void steadyLinkConvergesNearItsCapacity() {
        for (long capacity : new long[] {800_000, 2_500_000}) {
            LinkSimulation sim = new LinkSimulation(capacity, 1);
            sim.runSeconds(40);
            double mean = sim.meanEstimateOver(20);
            assertTrue(mean > 0.7 * capacity && mean < 1.15 * capacity,
                    "capacity " + capacity + ": mean estimate " + (long) mean);
        }
    }

    @Test
    void capacityDropIsFollowedWithinAFewSeconds() {
        LinkSimulation sim = new LinkSimulation(2_000_000, 2);
        sim.runSeconds(40);
        assertTrue(sim.estimator.estimateBps() > 1_400_000, "converged first: " + sim.estimator.estimateBps());
        sim.capacityBps = 500_000;
        sim.runSeconds(3);
        assertTrue(sim.estimator.estimateBps() < 650_000, "after the drop: " + sim.estimator.estimateBps());
    }

    @Test
    void growingQueueingDelayIsDetectedAsOveruse() {
        LinkSimulation sim = new LinkSimulation(1_000_000, 3);
        sim.fixedSendBps = 700_000;
        sim.runSeconds(10);
        assertFalse(sim.sawOveruse, "no queue below capacity");
        long before = sim.estimator.estimateBps();
        sim.fixedSendBps = 1_300_000; // 30% over capacity: the queue, and so the delay, grows steadily
        sim.runSeconds(2);
        assertTrue(sim.sawOveruse, "overuse while the delay grows");
        assertTrue(sim.estimator.estimateBps() < before && sim.estimator.estimateBps() < 1_000_000,
                "estimate falls below capacity: " + sim.estimator.estimateBps());
    }

    @Test
    void steadyFivePercentLossDoesNotCollapseTheEstimate() {
        LinkSimulation sim = new LinkSimulation(1_500_000, 4);
        sim.runSeconds(40);
        double before = sim.meanEstimateOver(5);
        sim.lossRate = 0.05;
        double during = sim.meanEstimateOver(20);
        assertTrue(during > 0.75 * before, "before " + (long) before + ", with 5% loss " + (long) during);
    }

    @Test
    void twentyPercentLossLowersTheEstimate() {
        LinkSimulation sim = new LinkSimulation(1_500_000, 5);
        sim.runSeconds(40);
        long before = sim.estimator.estimateBps();
        sim.lossRate = 0.20;
        sim.runSeconds(5);
        assertTrue(sim.estimator.estimateBps() < 0.6 * before,
                "before " + before + ", after 5 s of 20% loss " + sim.estimator.estimateBps());
    }

    @Test
    void receiverReportedHighLossCutsTheEstimate() {
        LinkSimulation sim = new LinkSimulation(1_500_000, 6);
        sim.runSeconds(20);
        long before = sim.estimator.estimateBps();
        sim.estimator.onReportedLoss(0.3, sim.now);
        assertTrue(sim.estimator.estimateBps() <= 0.86 * before, before + " -> " + sim.estimator.estimateBps());
        long cut = sim.estimator.estimateBps();
        sim.estimator.onReportedLoss(0.01, sim.now);
        assertEquals(cut, sim.estimator.estimateBps(), "low reported loss never raises");
    }
}
