package dev.parley.sfu.media;

import dev.parley.sfu.bwe.BandwidthEstimator;
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
    private final TransportCcIterator feedback = new TransportCcIterator();
    private final BandwidthEstimator estimator = new BandwidthEstimator();
    private final BandwidthProbe probe = new BandwidthProbe();
    private int nextSequence;
    /** Bytes stamped since the last padding tick: a probe's padding only tops media up to its target. */
    private long bytesSinceTick;
    /**
     * A successful probe's rate holds this long, however the estimate moves meanwhile: long enough for the
     * publisher to resume the layer it was for and for its keyframe to come; then that layer's own traffic keeps
     * the estimate up (or, if it does not fit after all, brings it down).
     */
    static final long PROBE_HOLD_NANOS = 5_000_000_000L;
    private long probedBps = -1;
    private long probedUntilNanos;

    TransportCcSender() {
        java.util.Arrays.fill(sequenceAt, -1);
    }

    /** Stamps {@code p} (rewritten for this subscriber, not yet encrypted) and records it as sent now. */
    void stamp(PacketBuffer p, long now) {
        int seq = nextSequence & 0xFFFF;
        if (!TransportSequenceExtension.write(p.array(), p.offset(), p.length(), TransportSequenceExtension.PARLEY_ID, seq)) {
            return;
        }
        nextSequence++;
        int slot = seq & MASK;
        sequenceAt[slot] = seq;
        sentNanos[slot] = now;
        sizes[slot] = p.length() + SRTP_OVERHEAD;
        bytesSinceTick += sizes[slot];
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
            estimator.onPacket(sentNanos[slot], sizes[slot], feedback.received(), feedback.arrivalMicros() * 1000);
        }
        estimator.onFeedbackEnd(now);
    }

    /** A receiver report's fraction lost (0..255 as in the report block) for a stream sent here. */
    void onReportedLoss(int fractionLost, long now) {
        estimator.onReportedLoss(fractionLost / 256.0, now);
    }

    /** The current estimate in bits per second, -1 while unknown; a recent successful probe's rate at least. */
    long estimateBps() {
        long estimate = estimator.estimateBps();
        if (probedBps > estimate && estimate >= 0 && System.nanoTime() - probedUntilNanos < 0) {
            return probedBps;
        }
        return estimate;
    }

    /** Starts probing toward {@code targetBps} when no probe runs and the last is long enough ago. */
    boolean requestProbe(long targetBps, long now) {
        return estimator.estimateBps() >= 0 && probe.request(targetBps, now, nextSequence);
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
