package dev.parley.sfu.media;

import static dev.parley.sfu.media.SimulcastLayerSelector.NONE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SimulcastLayerSelectorTest {
    /** Chrome's three layers of a 1280x720 camera: scale 4, 2, 1. */
    private static final int[] W = {320, 640, 1280};
    private static final int[] H = {180, 360, 720};
    private static final long[] BPS = {150_000, 500_000, 1_500_000};
    private static final boolean[] ALL = {true, true, true};

    private static int select(int current, long budget, int tileW, int tileH) {
        return SimulcastLayerSelector.select(W, H, BPS, ALL, current, budget, tileW, tileH);
    }

    @Test
    void withoutLimitsTheTopLayer() {
        assertEquals(2, select(NONE, -1, -1, -1));
        assertEquals(2, select(0, -1, -1, -1));
    }

    @Test
    void theSmallestLayerThatCoversTheTile() {
        assertEquals(0, select(NONE, -1, 160, 90));
        assertEquals(0, select(NONE, -1, 320, 180));
        assertEquals(1, select(NONE, -1, 400, 225));
        assertEquals(1, select(NONE, -1, 640, 360));
        assertEquals(2, select(NONE, -1, 1000, 560));
        assertEquals(2, select(NONE, -1, 1920, 1080), "bigger than any layer: the top one");
        assertEquals(1, select(NONE, -1, 300, 340), "cover fit: a tall tile needs the height");
    }

    @Test
    void theTileDoesNotFlapAroundALayersSize() {
        // 660 wide is a little above the middle layer: from below it stays (upscaling 3% is fine) ...
        assertEquals(1, select(1, -1, 660, 371));
        // ... from above it stays too: going down wants the lower layer to cover the whole tile.
        assertEquals(2, select(2, -1, 660, 371));
        // Clearly above or below, both move.
        assertEquals(2, select(1, -1, 760, 428));
        assertEquals(1, select(2, -1, 600, 338));
    }

    @Test
    void bandwidthStepsDownAndUpWithHeadroom() {
        assertEquals(2, select(2, 2_000_000, -1, -1));
        assertEquals(2, select(2, 1_500_000, -1, -1), "staying needs only the layer's bitrate");
        assertEquals(1, select(2, 1_000_000, -1, -1));
        assertEquals(0, select(1, 300_000, -1, -1));
        assertEquals(0, select(0, 100_000, -1, -1), "nothing fits: the lowest layer still goes");
        assertEquals(0, select(0, 550_000, -1, -1), "going up needs headroom over the layer's bitrate");
        assertEquals(1, select(0, 700_000, -1, -1));
        assertEquals(1, select(1, 1_700_000, -1, -1), "1.5 Mbit/s with 25% headroom is 1.875");
        assertEquals(2, select(1, 1_900_000, -1, -1));
    }

    @Test
    void bandwidthAndTileTogetherTakeTheLowerOfTheTwo() {
        assertEquals(1, select(NONE, 10_000_000, 640, 360));
        assertEquals(0, select(NONE, 300_000, 1280, 720));
    }

    @Test
    void aHiddenTilePausesAndUnavailableLayersAreSkipped() {
        assertEquals(NONE, select(2, -1, 0, 0));
        boolean[] noTop = {true, true, false};
        assertEquals(1, SimulcastLayerSelector.select(W, H, BPS, noTop, NONE, -1, 1280, 720));
        boolean[] onlyTop = {false, false, true};
        assertEquals(2, SimulcastLayerSelector.select(W, H, BPS, onlyTop, NONE, 100_000, 320, 180));
        assertEquals(NONE, SimulcastLayerSelector.select(W, H, BPS, new boolean[3], NONE, -1, 320, 180));
    }

    @Test
    void unknownSizesLeaveTheChoiceToBandwidth() {
        int[] unknown = {0, 0, 0};
        assertEquals(2, SimulcastLayerSelector.select(unknown, unknown, BPS, ALL, NONE, -1, 320, 180));
        assertEquals(1, SimulcastLayerSelector.select(unknown, unknown, BPS, ALL, NONE, 800_000, 320, 180));
    }
}
