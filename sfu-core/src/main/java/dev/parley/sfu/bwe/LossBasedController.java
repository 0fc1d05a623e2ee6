package dev.parley.sfu.bwe;

/**
 * The loss-based rate (draft-ietf-rmcat-gcc section 6): over each interval of at least
 * {@link #MIN_INTERVAL_NANOS} and {@link #MIN_PACKETS} packets, loss above {@link #HIGH_LOSS} cuts the rate by
 * half the loss fraction, loss below {@link #LOW_LOSS} makes it the delay-based rate again (loss is then no
 * constraint; GCC grows it by 5 % instead, which would hold back the delay-based rate's start), and loss between
 * the two holds it: a few percent of random loss on a wireless link is no reason to collapse.
 */
final class LossBasedController {
    static final double LOW_LOSS = 0.02;
    static final double HIGH_LOSS = 0.10;
    static final long MIN_INTERVAL_NANOS = 500_000_000;
    static final int MIN_PACKETS = 20;

    private final long minBps;
    private double rate;
    private long intervalStart = Long.MIN_VALUE;
    private int packets;
    private int lost;
    private double lastLoss;
    private long lastReportCut = Long.MIN_VALUE;

    LossBasedController(long initialBps, long minBps) {
        this.rate = initialBps;
        this.minBps = minBps;
    }

    /** Counts packets the feedback reported on. */
    void onPackets(int reported, int lostPackets, long now) {
        if (intervalStart == Long.MIN_VALUE) {
            intervalStart = now;
        }
        packets += reported;
        lost += lostPackets;
    }

    /**
     * Closes the interval when it is long enough and moves the rate.
     *
     * @return the loss-based rate
     */
    double update(double delayBasedBps, long now) {
        if (intervalStart != Long.MIN_VALUE && packets >= MIN_PACKETS && now - intervalStart >= MIN_INTERVAL_NANOS) {
            applyLoss((double) lost / packets, delayBasedBps);
            packets = 0;
            lost = 0;
            intervalStart = now;
        }
        rate = Math.min(rate, Math.max(delayBasedBps, minBps));
        return rate;
    }

    /**
     * A receiver report's fraction lost (0..1) for a stream Parley sends. Reports come per stream and often, so
     * they may only cut (high loss, at most once per interval), never grow the rate: transport-cc feedback, which
     * sees every packet, does that.
     */
    void onReportedLoss(double fraction, long now) {
        if (fraction > HIGH_LOSS && (lastReportCut == Long.MIN_VALUE || now - lastReportCut >= MIN_INTERVAL_NANOS)) {
            lastReportCut = now;
            applyLoss(fraction, rate);
        }
    }

    private void applyLoss(double loss, double delayBasedBps) {
        lastLoss = loss;
        if (loss > HIGH_LOSS) {
            rate = Math.max(minBps, rate * (1 - 0.5 * loss));
        } else if (loss < LOW_LOSS) {
            // Loss is no constraint: the delay-based rate, which probes and backs off on its own, decides.
            rate = Math.max(delayBasedBps, minBps);
        }
    }

    /** Raises the rate to {@code bps} when lower (what got through is known to fit). */
    void atLeast(double bps) {
        rate = Math.max(rate, bps);
    }

    /** Loss fraction of the last closed interval or report. */
    double lastLoss() {
        return lastLoss;
    }

    double rate() {
        return rate;
    }
}
