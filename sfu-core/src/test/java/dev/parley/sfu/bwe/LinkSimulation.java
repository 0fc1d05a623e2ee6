package dev.parley.sfu.bwe;

import java.util.Random;

/**
 * A deterministic bottleneck link driven by the estimate: a sender paces 1200-byte packets at the current
 * estimate (the initial rate while there is none), the link serialises them at its capacity behind a FIFO with a
 * base one-way delay and an optional random loss, and the receiver's transport-cc feedback reaches the estimator
 * every {@link #FEEDBACK_NANOS}. Time is simulated; nothing sleeps.
 */
final class LinkSimulation {
    static final int PACKET_BYTES = 1200;
    static final long FEEDBACK_NANOS = 100_000_000;
    static final long BASE_DELAY_NANOS = 20_000_000;
    /** A drop-tail queue: packets that would wait longer than this are lost. */
    static final long MAX_QUEUE_NANOS = 1_000_000_000L;
    private static final int RING = 1 << 14;

    final BandwidthEstimator estimator = new BandwidthEstimator();
    private final Random random;
    long capacityBps;
    double lossRate;
    /** When set, the sender ignores the estimate and sends at this rate. */
    long fixedSendBps = -1;
    long now;
    private long linkFreeAt;
    private long nextSend;
    private long nextFeedback = FEEDBACK_NANOS;
    private final long[] sendTimes = new long[RING];
    private final long[] arrivals = new long[RING];
    private long sent;
    private long reported;
    boolean sawOveruse;

    LinkSimulation(long capacityBps, long seed) {
        this.capacityBps = capacityBps;
        this.random = new Random(seed);
    }

    long sendRate() {
        if (fixedSendBps > 0) {
            return fixedSendBps;
        }
        long e = estimator.estimateBps();
        return e < 0 ? BandwidthEstimator.DEFAULT_INITIAL_BPS : e;
    }

    /** Runs for {@code nanos} of simulated time. */
    void run(long nanos) {
        long end = now + nanos;
        while (now < end) {
            long t = Math.min(nextSend, nextFeedback);
            now = t;
            if (t == nextSend) {
                send();
                nextSend = now + PACKET_BYTES * 8L * 1_000_000_000L / sendRate();
            } else {
                feedback();
                nextFeedback = now + FEEDBACK_NANOS;
            }
        }
    }

    void runSeconds(double seconds) {
        run((long) (seconds * 1e9));
    }

    /** Runs and returns the mean estimate sampled every feedback. */
    double meanEstimateOver(double seconds) {
        long end = now + (long) (seconds * 1e9);
        double sum = 0;
        int n = 0;
        while (now < end) {
            run(FEEDBACK_NANOS);
            sum += estimator.estimateBps();
            n++;
        }
        return sum / n;
    }

    private void send() {
        int i = (int) (sent % RING);
        sendTimes[i] = now;
        long start = Math.max(now, linkFreeAt);
        if (start - now > MAX_QUEUE_NANOS || random.nextDouble() < lossRate) {
            arrivals[i] = -1;
        } else {
            linkFreeAt = start + PACKET_BYTES * 8L * 1_000_000_000L / capacityBps;
            arrivals[i] = linkFreeAt + BASE_DELAY_NANOS;
        }
        sent++;
    }

    /** Reports every packet whose fate is known by now (arrived, or lost and followed by an arrival). */
    private void feedback() {
        long last = reported;
        for (long s = reported; s < sent; s++) {
            long a = arrivals[(int) (s % RING)];
            if (a >= 0 && a <= now) {
                last = s + 1;
            } else if (a >= 0) {
                break;
            }
        }
        for (long s = reported; s < last; s++) {
            int i = (int) (s % RING);
            estimator.onPacket(sendTimes[i], PACKET_BYTES, arrivals[i] >= 0, arrivals[i]);
        }
        reported = last;
        estimator.onFeedbackEnd(now);
        sawOveruse |= estimator.usage() == BandwidthUsage.OVERUSING;
    }
}
