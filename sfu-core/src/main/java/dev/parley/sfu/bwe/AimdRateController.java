package dev.parley.sfu.bwe;

/**
 * The delay-based rate: additive-increase multiplicative-decrease driven by the overuse detector's signal.
 *
 * <p>Overuse cuts the rate to {@link #BETA} times what the receiver actually got (the acknowledged rate), but
 * to no less than half, at most once per {@link #DECREASE_INTERVAL_NANOS}, then holds; underuse holds (queues are draining, the rate that built
 * them must not grow); normal increases: multiplicatively by {@link #MULTIPLICATIVE_PER_SECOND} per second while
 * far from the rate of the last decrease, additively (about one packet per response time) near it, where the
 * link's capacity was last found. The rate never exceeds {@link #HEADROOM_FACTOR} times the acknowledged rate plus
 * {@link #HEADROOM_BPS}: an estimate must not run far ahead of what was ever carried. The headroom keeps a
 * subscriber's layer through a dip; a higher layer takes a probe ({@code media.BandwidthProbe}, docs/bandwidth.md).
 */
final class AimdRateController {
    static final double BETA = 0.85;
    /**
     * One decrease at most halves the rate. An SFU's sender is usually application-limited (it forwards what
     * publishers send), so the acknowledged rate can be far below what the path takes; and the REMB a publisher
     * gets follows its subscribers' estimates, so a collapse to 0.85 × a small acknowledged rate after one
     * overuse signal (a noisy loaded host, a keyframe) would feed on itself. Real, sustained overuse still
     * halves the rate every {@link #DECREASE_INTERVAL_NANOS}.
     */
    static final double MAX_DECREASE = 0.5;
    static final double MULTIPLICATIVE_PER_SECOND = 1.08;
    /**
     * Growth per second until the first overuse: the start, where GCC sends probe clusters at 3 and 6 times the
     * initial rate. Parley climbs fast instead, inside the headroom.
     */
    static final double START_MULTIPLICATIVE_PER_SECOND = 1.5;
    static final long DECREASE_INTERVAL_NANOS = 200_000_000;
    static final double HEADROOM_FACTOR = 2;
    static final long HEADROOM_BPS = 100_000;
    /** Assumed response time (feedback interval plus a typical round trip) for the additive step. */
    static final double RESPONSE_SECONDS = 0.2;
    static final int PACKET_BITS = 1200 * 8;

    private enum State { HOLD, INCREASE, DECREASE }

    private final long minBps;
    private final long maxBps;
    private double rate;
    private State state = State.INCREASE;
    private long lastUpdate = Long.MIN_VALUE;
    private long lastDecrease = Long.MIN_VALUE;
    /** Acknowledged rate at the last decrease: where capacity was found; NaN until the first. */
    private double linkCapacity = Double.NaN;

    AimdRateController(long initialBps, long minBps, long maxBps) {
        this.rate = initialBps;
        this.minBps = minBps;
        this.maxBps = maxBps;
    }

    /** Applies the detector's signal; {@code ackedBps} is what the receiver got lately, -1 while unknown. */
    double update(BandwidthUsage usage, double ackedBps, long now) {
        double seconds = lastUpdate == Long.MIN_VALUE ? 0 : Math.min(now - lastUpdate, 1_000_000_000L) / 1e9;
        lastUpdate = now;
        switch (usage) {
            case OVERUSING -> state = State.DECREASE;
            case UNDERUSING -> state = State.HOLD;
            case NORMAL -> {
                if (state != State.INCREASE) {
                    state = State.INCREASE;
                    seconds = 0;
                }
            }
        }
        if (state == State.DECREASE) {
            if (lastDecrease == Long.MIN_VALUE || now - lastDecrease >= DECREASE_INTERVAL_NANOS) {
                double base = ackedBps > 0 ? ackedBps : rate;
                rate = Math.min(rate, Math.max(BETA * base, MAX_DECREASE * rate));
                linkCapacity = base;
                lastDecrease = now;
            }
            state = State.HOLD;
        } else if (state == State.INCREASE) {
            if (!Double.isNaN(linkCapacity) && rate > 0.9 * linkCapacity && rate < 1.5 * linkCapacity) {
                rate += Math.max(1000, PACKET_BITS / RESPONSE_SECONDS) * seconds;
            } else {
                if (!Double.isNaN(linkCapacity) && rate >= 1.5 * linkCapacity) {
                    linkCapacity = Double.NaN; // well past where capacity was: it has grown, search anew
                }
                double growth = lastDecrease == Long.MIN_VALUE ? START_MULTIPLICATIVE_PER_SECOND : MULTIPLICATIVE_PER_SECOND;
                rate *= Math.pow(growth, seconds);
            }
            if (ackedBps > 0) {
                rate = Math.min(rate, HEADROOM_FACTOR * ackedBps + HEADROOM_BPS);
            }
        }
        rate = Math.max(minBps, Math.min(maxBps, rate));
        return rate;
    }

    /** Raises the rate to {@code bps} when lower: what got through without overuse is known to fit. */
    void atLeast(double bps) {
        rate = Math.max(rate, Math.min(maxBps, bps));
    }

    double rate() {
        return rate;
    }
}
