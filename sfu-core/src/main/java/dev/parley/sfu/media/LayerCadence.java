package dev.parley.sfu.media;

/**
 * Whether one simulcast layer still flows, judged from its own frame cadence: the layer has stopped when no new
 * media arrived for {@link #INTERVALS} of its recent frame intervals (at least {@link #MIN_STOP_NANOS}, at most
 * {@link #MAX_STOP_NANOS}).
 *
 * <p>Why a cadence and not a flat timeout: a browser pauses a layer at once when its own bandwidth estimate drops
 * (or when told to), and a subscriber watching that layer sees a frozen picture until Parley moves it to a layer
 * that still flows. A 30 fps layer that sent nothing for 300 ms has stopped; a flat 1.5 s would freeze the
 * picture five times as long. A layer whose encoder slowed down (a few frames a second under CPU or bandwidth
 * pressure) gets a longer wait, so it is not taken for stopped between two of its frames.
 *
 * <p>Only media counts: a packet whose RTP timestamp is older than the newest one seen is a retransmission of a
 * frame that went by, which a layer that stopped may still answer NACKs with; it does not keep the layer flowing.
 * Loop-confined, no allocation.
 */
final class LayerCadence {
    /** Never stopped sooner than this after its last media packet (a few frames of a 30 fps layer, with jitter). */
    static final long MIN_STOP_NANOS = 300_000_000L;
    /** Always stopped this long after its last media packet, whatever its cadence (also before one is measured). */
    static final long MAX_STOP_NANOS = 1_500_000_000L;
    /** How many frame intervals without media make a stop. */
    static final int INTERVALS = 3;

    private boolean any;
    private long lastMediaNanos;
    private int newestTimestamp;
    private long newestFrameNanos;
    /** Smoothed time between the arrivals of consecutive frames; 0 until two frames arrived. */
    private long frameIntervalNanos;

    /** A packet of the layer with a payload, RTP timestamp {@code timestamp}, arrived at {@code now}. */
    void onMedia(int timestamp, long now) {
        if (!any) {
            any = true;
            lastMediaNanos = now;
            newestTimestamp = timestamp;
            newestFrameNanos = now;
            return;
        }
        int ahead = timestamp - newestTimestamp; // wraps as RTP timestamps do
        if (ahead < 0) {
            return; // a retransmission of an older frame
        }
        lastMediaNanos = now;
        if (ahead == 0) {
            return; // another packet of the newest frame
        }
        long sample = now - newestFrameNanos;
        newestTimestamp = timestamp;
        newestFrameNanos = now;
        if (sample >= MAX_STOP_NANOS) {
            return; // the layer had stopped and resumed: that gap is not its cadence
        }
        if (frameIntervalNanos == 0) {
            frameIntervalNanos = sample;
        } else if (sample > frameIntervalNanos) {
            // Up fast: an encoder that slows down must not be taken for stopped while it adapts.
            frameIntervalNanos = (frameIntervalNanos + sample) / 2;
        } else {
            frameIntervalNanos = (7 * frameIntervalNanos + sample) / 8;
        }
    }

    /** How long after its last media packet the layer counts as stopped, given its cadence now. */
    long stopAfterNanos() {
        if (frameIntervalNanos == 0) {
            return MAX_STOP_NANOS;
        }
        return Math.max(MIN_STOP_NANOS, Math.min(MAX_STOP_NANOS, INTERVALS * frameIntervalNanos));
    }

    /** Whether the layer has stopped at {@code now} (also when nothing ever arrived). */
    boolean stopped(long now) {
        return !any || now - lastMediaNanos >= stopAfterNanos();
    }
}
