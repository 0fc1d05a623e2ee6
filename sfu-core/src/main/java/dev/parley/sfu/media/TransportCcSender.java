package dev.parley.sfu.media;

import dev.parley.sfu.bwe.BandwidthEstimator;
import dev.parley.sfu.bwe.BandwidthUsage;
import dev.parley.sfu.packet.PacketBuffer;
import dev.parley.sfu.rtp.TransportCcIterator;
import dev.parley.sfu.rtp.TransportSequenceExtension;

/**
 * The send side of transport-wide congestion control, for a subscriber's transport: stamps each outgoing RTP
 * packet with this transport's own sequence number (into the slot the publisher's packet carries under
 * {@link TransportSequenceExtension#PARLEY_ID}; a packet without one is sent unstamped), remembers when it went
 * and how big it was (a preallocated ring), and feeds the subscriber's feedback to a {@link BandwidthEstimator}.
 * Loop-confined; nothing allocates per packet.
 */
final class TransportCcSender {
    /** Packets remembered: feedback for older ones (seconds at any real rate) finds nothing. */
    static final int RING = 4096;
    private static final int MASK = RING - 1;
    /** What SRTP adds to each packet after it is stamped (the 80-bit tag of the common profile). */
    private static final int SRTP_OVERHEAD = 10;

    private final long[] sentNanos = new long[RING];
    private final int[] sizes = new int[RING];
    private final int[] sequenceAt = new int[RING];
    private final boolean[] padding = new boolean[RING];
    private final TransportCcIterator feedback = new TransportCcIterator();
    private final BandwidthEstimator estimator = new BandwidthEstimator();
    private final BandwidthProbe probe = new BandwidthProbe();
    private int nextSequence;
    /** Media bytes stamped since the last padding tick: a probe's padding only tops media up to its rate. */
    private long bytesSinceTick;
    /**
     * A successful probe's rate holds this long, however the estimate moves meanwhile: long enough for the
     * publisher to resume the layer it was for and for its keyframe to come; then that layer's own traffic keeps
     * the estimate up (or, if it does not fit after all, brings it down). A feedback that shows the path
     * overflowing ends it at once (see {@link #OVERFLOW_LOSS_SHARE}).
     */
    static final long PROBE_HOLD_NANOS = 5_000_000_000L;
    /**
     * This share of the packets lost (counted over feedbacks of at least {@link #OVERFLOW_MIN_PACKETS} packets in
     * all) means the path overflows: while a probe's rate holds, the layer the probe let through does not fit: the
     * estimate falls back to the estimator's (whose loss-based part then cuts it) and the next probe waits longest.
     * A policer's bucket can let a probe through that its layer then overflows; this is what brings that layer
     * down within a second or two. Overuse alone does not end the hold: the switch's keyframe burst, or a loaded
     * receiver, shows as delay for a moment, and a queue that really overflows loses packets soon enough.
     */
    static final double OVERFLOW_LOSS_SHARE = 0.05;
    static final int OVERFLOW_MIN_PACKETS = 20;
    private long probedBps = -1;
    private long probedUntilNanos;
    // Feedback counted toward the next verdict on loss (OVERFLOW_MIN_PACKETS at least).
    private int windowReported;
    private int windowLost;
    /**
     * How long after the path last lost {@link #OVERFLOW_LOSS_SHARE} of its packets what arrives counts toward
     * {@link #carriedBps}: the acknowledged rate averages windows of half a second, so it still holds what was
     * sent before the loss for a while.
     */
    static final long CLEAN_NANOS = 2_000_000_000L;
    /** How long the highest acknowledged rate seen without loss is remembered ({@link #verifiedBps}). */
    static final long CARRIED_NANOS = 5_000_000_000L;
    private long lastLossNanos = Long.MIN_VALUE / 2;
    private long carriedBps = -1;
    private long carriedAtNanos;

    TransportCcSender() {
        java.util.Arrays.fill(sequenceAt, -1);
    }

    /** Stamps {@code p} (rewritten for this subscriber, not yet encrypted) and records it as sent now. */
    void stamp(PacketBuffer p, long now) {
        stamp(p, now, false);
    }

    /**
     * Stamps a probe's padding packet: counted for the delay and loss it meets, not as media (the acknowledged
     * rate, whose headroom the estimate may take without a probe, is the media's; only the probe's own verdict
     * raises the estimate past it).
     */
    void stampPadding(PacketBuffer p, long now) {
        stamp(p, now, true);
    }

    private void stamp(PacketBuffer p, long now, boolean padding) {
        int seq = nextSequence & 0xFFFF;
        if (!TransportSequenceExtension.write(p.array(), p.offset(), p.length(), TransportSequenceExtension.PARLEY_ID, seq)) {
            return;
        }
        nextSequence++;
        int slot = seq & MASK;
        sequenceAt[slot] = seq;
        sentNanos[slot] = now;
        sizes[slot] = p.length() + SRTP_OVERHEAD;
        this.padding[slot] = padding;
        if (!padding) {
            bytesSinceTick += sizes[slot];
        }
    }

    /** The send time recorded for transport-wide {@code sequence}; -1 when none is (never stamped, or reported on). */
    long sentNanos(int sequence) {
        int slot = sequence & MASK;
        return sequenceAt[slot] == sequence ? sentNanos[slot] : -1;
    }

    /** A transport-cc feedback from the subscriber (one RTCP packet as the compound walker yields it). */
    void onFeedback(byte[] buf, int off, int len, long now) {
        if (!feedback.reset(buf, off, len)) {
            return;
        }
        while (feedback.next()) {
            int seq = feedback.sequenceNumber();
            int slot = seq & MASK;
            if (sequenceAt[slot] != seq) {
                continue; // never sent, or too old
            }
            sequenceAt[slot] = -1; // each packet counts once, even if feedback repeats it
            probe.onFeedback(seq, sizes[slot], feedback.received(), feedback.arrivalMicros() * 1000);
            estimator.onPacket(sentNanos[slot], sizes[slot], feedback.received(), feedback.arrivalMicros() * 1000,
                    padding[slot]);
            windowReported++;
            if (!feedback.received()) {
                windowLost++;
            }
        }
        estimator.onFeedbackEnd(now);
        boolean overusing = estimator.usage() == BandwidthUsage.OVERUSING;
        probe.onFeedbackEnd(overusing, now);
        if (windowReported >= OVERFLOW_MIN_PACKETS) {
            if (windowLost >= OVERFLOW_LOSS_SHARE * windowReported) {
                lastLossNanos = now;
                carriedBps = -1;
                if (probedBps >= 0 && now - probedUntilNanos < 0) {
                    probedBps = -1;
                    probe.backOff(now);
                }
            }
            windowReported = 0;
            windowLost = 0;
        }
        long acked = estimator.acknowledgedBps();
        if (acked >= 0 && now - lastLossNanos >= CLEAN_NANOS) {
            if (acked >= carriedBps || now - carriedAtNanos >= CARRIED_NANOS) {
                carriedBps = acked;
                carriedAtNanos = now;
            } else if (acked >= 0.8 * carriedBps) {
                carriedAtNanos = now; // still carrying about as much
            }
        }
    }

    /** A receiver report's fraction lost (0..255 as in the report block) for a stream sent here. */
    void onReportedLoss(int fractionLost, long now) {
        estimator.onReportedLoss(fractionLost / 256.0, now);
    }

    /** The current estimate in bits per second, -1 while unknown; a recent successful probe's rate at least. */
    long estimateBps() {
        return estimateBps(System.nanoTime());
    }

    long estimateBps(long now) {
        long estimate = estimator.estimateBps();
        if (probedBps > estimate && estimate >= 0 && now - probedUntilNanos < 0) {
            return probedBps;
        }
        return estimate;
    }

    /**
     * What the path was shown to carry: a successful probe's rate while it holds, the highest acknowledged rate of
     * the last {@link #CARRIED_NANOS} without loss (a layer that paused at the publisher for a moment comes back
     * without a probe), or what arrives now; -1 while unknown. The estimate may run ahead of it by its headroom,
     * which is fine for keeping a layer, not for taking a higher one: on a policed link the headroom's layer would
     * overflow it.
     */
    long verifiedBps(long now) {
        if (estimator.estimateBps() < 0) {
            return -1;
        }
        long verified = Math.max(estimator.acknowledgedBps(), carriedBps);
        if (probedBps >= 0 && now - probedUntilNanos < 0) {
            verified = Math.max(verified, probedBps);
        }
        return verified;
    }

    /**
     * Starts probing toward {@code targetBps} (toward {@code fallbackBps} after a probe toward the target failed)
     * when no probe runs and the last is long enough ago.
     */
    boolean requestProbe(long targetBps, long fallbackBps, long now) {
        return estimator.estimateBps() >= 0
                && probe.request(targetBps, fallbackBps, Math.max(0, estimator.acknowledgedBps()), now, nextSequence);
    }

    /** Loop, every feedback interval: the padding bytes a running probe wants sent now; takes a finished probe's result. */
    int paddingDue(long now) {
        int due = probe.paddingDue(now, bytesSinceTick, nextSequence);
        bytesSinceTick = 0;
        long result = probe.result(now);
        if (result > 0) {
            estimator.onProbeResult(result, now);
            probedBps = result;
            probedUntilNanos = now + PROBE_HOLD_NANOS;
        }
        return due;
    }
}
