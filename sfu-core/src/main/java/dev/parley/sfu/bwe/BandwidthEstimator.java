package dev.parley.sfu.bwe;

/**
 * Estimates the bitrate a path can carry from per-packet feedback: each packet's send time and size (on this
 * side's clock) and whether and when it arrived (on the receiver's clock; only differences are used). The
 * estimate is the lower of the delay-based rate ({@link TrendlineFilter}, {@link OveruseDetector},
 * {@link AimdRateController}) and the loss-based rate ({@link LossBasedController}).
 *
 * <p>Feed it one feedback at a time: {@link #onPacket} for every packet the feedback reports, in sequence order,
 * then {@link #onFeedbackEnd}. Loop-confined; nothing allocates after construction; time comes from the caller.
 */
public final class BandwidthEstimator {
    /** Where an estimate starts (as GCC does): enough for audio and a small video layer. */
    public static final long DEFAULT_INITIAL_BPS = 300_000;
    public static final long DEFAULT_MIN_BPS = 30_000;
    public static final long DEFAULT_MAX_BPS = 20_000_000;
    /** The acknowledged rate is measured over windows of arrival time at least this long. */
    static final long ACKED_WINDOW_NANOS = 500_000_000;

    private final TrendlineFilter trendline = new TrendlineFilter();
    private final OveruseDetector detector = new OveruseDetector();
    private final AimdRateController aimd;
    private final LossBasedController loss;
    private long estimate = -1;
    // Acknowledged rate: bytes that arrived over a window of arrival time.
    private long ackedWindowStart = Long.MIN_VALUE;
    private long ackedBytes;
    private double ackedBps = -1;
    // The feedback being read.
    private int reported;
    private int lost;

    public BandwidthEstimator() {
        this(DEFAULT_INITIAL_BPS, DEFAULT_MIN_BPS, DEFAULT_MAX_BPS);
    }

    public BandwidthEstimator(long initialBps, long minBps, long maxBps) {
        if (minBps <= 0 || initialBps < minBps || maxBps < initialBps) {
            throw new IllegalArgumentException("bitrates must satisfy 0 < min <= initial <= max, got " + minBps
                    + ", " + initialBps + ", " + maxBps);
        }
        this.aimd = new AimdRateController(initialBps, minBps, maxBps);
        this.loss = new LossBasedController(initialBps, minBps);
    }

    /**
     * One packet of a feedback, in sequence order.
     *
     * @param sendNanos when Parley sent it
     * @param size its size in bytes on the wire
     * @param arrivalNanos when it arrived, on the receiver's clock (ignored when lost)
     */
    public void onPacket(long sendNanos, int size, boolean received, long arrivalNanos) {
        onPacket(sendNanos, size, received, arrivalNanos, false);
    }

    /**
     * One packet of a feedback, in sequence order; {@code probePadding} for padding sent to probe the path, which
     * counts for delay and loss but not in the acknowledged rate: the estimate's headroom over what the receiver
     * gets is over its media, so a probe, not its padding, says whether more fits.
     */
    public void onPacket(long sendNanos, int size, boolean received, long arrivalNanos, boolean probePadding) {
        reported++;
        if (!received) {
            lost++;
            return;
        }
        if (!probePadding) {
            countAcked(size, arrivalNanos);
        }
        if (trendline.onPacket(sendNanos, arrivalNanos)) {
            detector.detect(trendline.trend(), trendline.deltas(), trendline.lastSendDeltaNanos(), arrivalNanos);
        }
    }

    /** Ends a feedback: the rate controllers act on what it showed. */
    public void onFeedbackEnd(long now) {
        if (reported == 0) {
            return;
        }
        loss.onPackets(reported, lost, now);
        reported = 0;
        lost = 0;
        double delayBased = aimd.update(detector.state(), ackedBps, now);
        double lossBased = loss.update(delayBased, now);
        estimate = (long) Math.min(delayBased, lossBased);
    }

    /** A receiver report block's fraction lost (0..1) for one of the streams sent on this path. */
    public void onReportedLoss(double fraction, long now) {
        if (estimateBps() < 0) {
            return;
        }
        loss.onReportedLoss(fraction, now);
        estimate = (long) Math.min(aimd.rate(), loss.rate());
    }

    /**
     * The estimate in bits per second; -1 until the first acknowledged rate is measured (half a second of
     * feedback), so that the initial guess never reaches a publisher as a limit.
     */
    public long estimateBps() {
        return ackedBps < 0 ? -1 : estimate;
    }

    /**
     * A probe found that {@code bps} got through without overuse: the estimate is raised to it (never lowered).
     * Ignored while the detector sees overuse or before the first measurement.
     */
    public void onProbeResult(long bps, long now) {
        if (estimateBps() < 0 || detector.state() == BandwidthUsage.OVERUSING) {
            return;
        }
        aimd.atLeast(bps);
        loss.atLeast(bps);
        estimate = (long) Math.min(aimd.rate(), loss.rate());
    }

    /** The detector's latest verdict. */
    public BandwidthUsage usage() {
        return detector.state();
    }

    /** What the receiver got lately (bits per second), -1 while unknown. */
    public long acknowledgedBps() {
        return (long) ackedBps;
    }

    /** The detector's current threshold (ms), for diagnostics. */
    public double thresholdMs() {
        return detector.threshold();
    }

    private void countAcked(int size, long arrivalNanos) {
        if (ackedWindowStart == Long.MIN_VALUE || arrivalNanos < ackedWindowStart) {
            ackedWindowStart = arrivalNanos;
            ackedBytes = 0;
            return;
        }
        ackedBytes += size;
        long span = arrivalNanos - ackedWindowStart;
        if (span >= ACKED_WINDOW_NANOS) {
            double sample = ackedBytes * 8e9 / span;
            boolean first = ackedBps < 0;
            ackedBps = first ? sample : 0.5 * ackedBps + 0.5 * sample;
            if (first) {
                // What already got through fits: no need to climb to it from the initial rate.
                aimd.atLeast(sample);
                loss.atLeast(sample);
            }
            ackedWindowStart = arrivalNanos;
            ackedBytes = 0;
        }
    }
}
