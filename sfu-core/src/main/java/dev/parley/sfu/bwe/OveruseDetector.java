package dev.parley.sfu.bwe;

/**
 * Compares the delay trend with an adaptive threshold: above it for more than {@link #OVERUSE_NANOS} (and still
 * rising) is overuse, below its negative is underuse. The threshold follows the trend's magnitude, slowly upward
 * and faster downward, so that a path whose delay is merely noisy, or a competing loss-based flow, does not keep
 * it starving, while a real queue still crosses it (draft-ietf-rmcat-gcc section 5.4).
 */
final class OveruseDetector {
    static final double INITIAL_THRESHOLD_MS = 12.5;
    static final double MIN_THRESHOLD_MS = 6;
    static final double MAX_THRESHOLD_MS = 600;
    /** Adaptation gains per ms when the trend is above (up) or below (down) the threshold. */
    static final double K_UP = 0.0087;
    static final double K_DOWN = 0.039;
    /** Trend spikes this far beyond the threshold do not move it: a single outlier must not desensitise it. */
    static final double MAX_ADAPT_OFFSET_MS = 15;
    static final long OVERUSE_NANOS = 10_000_000;
    private static final long MAX_ADAPT_STEP_NANOS = 100_000_000;

    private double threshold = INITIAL_THRESHOLD_MS;
    private long lastUpdate = Long.MIN_VALUE;
    private long overusingNanos = -1;
    private int overuseCount;
    private double previousTrend;
    private BandwidthUsage state = BandwidthUsage.NORMAL;

    /** Updates with a new trend; {@code sendDeltaNanos} is the send gap of the groups that produced it. */
    BandwidthUsage detect(double trend, int deltas, long sendDeltaNanos, long now) {
        if (deltas < 2) {
            return BandwidthUsage.NORMAL;
        }
        if (trend > threshold) {
            overusingNanos = overusingNanos < 0 ? sendDeltaNanos / 2 : overusingNanos + sendDeltaNanos;
            overuseCount++;
            if (overusingNanos > OVERUSE_NANOS && overuseCount > 1 && trend >= previousTrend) {
                overusingNanos = 0;
                overuseCount = 0;
                state = BandwidthUsage.OVERUSING;
            }
        } else if (trend < -threshold) {
            overusingNanos = -1;
            overuseCount = 0;
            state = BandwidthUsage.UNDERUSING;
        } else {
            overusingNanos = -1;
            overuseCount = 0;
            state = BandwidthUsage.NORMAL;
        }
        previousTrend = trend;
        adapt(trend, now);
        return state;
    }

    private void adapt(double trend, long now) {
        if (lastUpdate == Long.MIN_VALUE) {
            lastUpdate = now;
        }
        double magnitude = Math.abs(trend);
        if (magnitude > threshold + MAX_ADAPT_OFFSET_MS) {
            lastUpdate = now;
            return;
        }
        double k = magnitude < threshold ? K_DOWN : K_UP;
        double stepMs = Math.min(now - lastUpdate, MAX_ADAPT_STEP_NANOS) / 1e6;
        threshold += k * (magnitude - threshold) * stepMs;
        threshold = Math.max(MIN_THRESHOLD_MS, Math.min(MAX_THRESHOLD_MS, threshold));
        lastUpdate = now;
    }

    double threshold() {
        return threshold;
    }

    BandwidthUsage state() {
        return state;
    }
}
