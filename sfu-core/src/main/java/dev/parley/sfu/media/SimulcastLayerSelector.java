package dev.parley.sfu.media;

/**
 * Chooses which simulcast layer one subscriber gets of one stream: the highest layer that fits both the bandwidth
 * the subscriber has for it and the tile its page renders the video in. Pure: the caller passes what it measured.
 *
 * <p><b>Tile.</b> The page shows video with {@code object-fit: cover}, so a layer is big enough when it is at least
 * the tile's width and height. The choice is the smallest layer that is big enough (a bigger one costs bandwidth
 * for pixels nobody sees), the highest when none is. To go up, the current layer must be clearly too small (under
 * {@link #UP_SLACK} of the tile); to go down, the lower layer must cover the whole tile. Between the two the
 * current layer stays, so a tile resized by a few pixels does not flap.
 *
 * <p><b>Bandwidth.</b> A layer fits when its measured bitrate is within the budget; going up asks for
 * {@link #UP_HEADROOM} more than the layer's bitrate, so a budget near a layer's bitrate does not flap either.
 * When nothing fits, the lowest layer still goes: a picture that keeps moving beats a frozen one. A budget of -1
 * means unknown and counts as unlimited.
 *
 * <p>Layers are indexed lowest first. A layer that is not {@code available} (not flowing now, or never seen) is
 * never chosen.
 */
public final class SimulcastLayerSelector {
    /** A layer below this fraction of the tile's size is too small: the next one up is taken. */
    static final double UP_SLACK = 0.9;
    /** Going up a layer needs this much more budget than the layer's bitrate. */
    static final double UP_HEADROOM = 1.25;
    /** Not to forward at all: the tile is hidden (0x0), or no layer is available. */
    public static final int NONE = -1;

    private SimulcastLayerSelector() {}

    /**
     * @param widths each layer's width in pixels, 0 when not known (then it is big enough only as the top layer)
     * @param heights each layer's height in pixels, 0 when not known
     * @param bitrates each layer's measured bitrate in bits/s, 0 when not known (then it fits any budget)
     * @param available which layers may be chosen
     * @param current the layer forwarded now, or {@link #NONE}
     * @param budgetBps the bandwidth for this stream in bits/s; negative when unknown (unlimited)
     * @param tileWidth the tile's width in pixels; negative when the page has not said (any size)
     * @param tileHeight the tile's height; 0 (with width 0) when the tile is not visible
     * @return the layer to forward, or {@link #NONE}
     */
    public static int select(int[] widths, int[] heights, long[] bitrates, boolean[] available, int current,
                             long budgetBps, int tileWidth, int tileHeight) {
        if (tileWidth == 0 && tileHeight == 0) {
            return NONE;
        }
        int n = available.length;
        int lowest = NONE;
        int highest = NONE;
        for (int i = 0; i < n; i++) {
            if (available[i]) {
                lowest = lowest == NONE ? i : lowest;
                highest = i;
            }
        }
        if (highest == NONE) {
            return NONE;
        }
        int byTile = highest;
        if (tileWidth > 0 || tileHeight > 0) {
            for (int i = 0; i < n; i++) {
                if (!available[i]) {
                    continue;
                }
                // Below the current layer, only a layer that covers the whole tile replaces it (hysteresis).
                double slack = current != NONE && i < current ? 1.0 : UP_SLACK;
                if (covers(widths[i], heights[i], tileWidth, tileHeight, slack)) {
                    byTile = i;
                    break;
                }
            }
        }
        if (budgetBps < 0) {
            return byTile;
        }
        for (int i = byTile; i >= 0; i--) {
            if (!available[i]) {
                continue;
            }
            double need = i > current ? bitrates[i] * UP_HEADROOM : bitrates[i];
            if (need <= budgetBps) {
                return i;
            }
        }
        return lowest;
    }

    private static boolean covers(int width, int height, int tileWidth, int tileHeight, double slack) {
        if (width <= 0 || height <= 0) {
            return false;
        }
        return width >= tileWidth * slack && height >= tileHeight * slack;
    }
}
