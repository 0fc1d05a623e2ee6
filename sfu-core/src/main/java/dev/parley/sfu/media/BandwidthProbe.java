package dev.parley.sfu.media;

/**
 * Finds out whether a subscriber's path takes more than Parley sends it now, before a higher simulcast layer is
 * forwarded on that hope. The estimate ({@link dev.parley.sfu.bwe.BandwidthEstimator}) never runs far ahead of
 * what the subscriber receives, so a subscriber held to a low layer would stay there: a probe sends padding on
 * top of the media at the rate the next layer needs for {@link #DURATION_NANOS} (100 ms), and measures from the
 * transport-cc feedback what arrived. A probe that got through raises the estimate to what it measured; one that
 * did not changes nothing but the wait before the next (doubled, up to {@link #MAX_INTERVAL_NANOS}).
 * Loop-confined; nothing allocates.
 */
final class BandwidthProbe {
    /**
     * Short: on a path that cannot take the target, the probe's excess is lost and takes media with it, so it
     * must be over before receivers' jitter buffers run dry (retransmissions cover the rest). Two feedback ticks.
     */
    static final long DURATION_NANOS = 100_000_000L;
    /** After the last probe packet, how long its feedback may take to come back. */
    static final long SETTLE_NANOS = 500_000_000L;
    /**
     * Between probes: 2 s after one that got through (the next layer up may need one too), doubling after one
     * that did not, to at most 4 s, so a path that gets better is found within seconds while one that does not
     * loses a 100 ms burst at most every 4 s.
     */
    static final long MIN_INTERVAL_NANOS = 2_000_000_000L;
    static final long MAX_INTERVAL_NANOS = 4_000_000_000L;
    /** A probe counts when at least this share of its target arrived. */
    static final double SUCCESS_SHARE = 0.8;

    private enum Phase { IDLE, SENDING, SETTLING }

    private Phase phase = Phase.IDLE;
    private long targetBps;
    private long endNanos;
    private long nextAllowedNanos;
    private long intervalNanos = MIN_INTERVAL_NANOS;
    private double paddingCredit;
    private long lastTickNanos;
    // The transport sequence numbers the probe spans, and what of them arrived.
    private int firstSequence;
    private int lastSequence = -1;
    private long bytesArrived;
    private long firstArrivalNanos = Long.MAX_VALUE;
    private long lastArrivalNanos = Long.MIN_VALUE;

    /** Starts a probe toward {@code targetBps} unless one runs or the last was too recent; true when started. */
    boolean request(long targetBps, long now, int nextSequence) {
        if (phase != Phase.IDLE || now < nextAllowedNanos || targetBps <= 0) {
            return false;
        }
        phase = Phase.SENDING;
        this.targetBps = targetBps;
        endNanos = now + DURATION_NANOS;
        lastTickNanos = now;
        paddingCredit = 0;
        firstSequence = nextSequence & 0xFFFF;
        lastSequence = -1;
        bytesArrived = 0;
        firstArrivalNanos = Long.MAX_VALUE;
        lastArrivalNanos = Long.MIN_VALUE;
        return true;
    }

    /**
     * The padding bytes due since the last tick (0 when not probing); media sent meanwhile counts too, so the
     * padding only fills up to the target.
     */
    int paddingDue(long now, long mediaBytesSinceLastTick, int nextSequence) {
        if (phase != Phase.SENDING) {
            return 0;
        }
        if (now >= endNanos) {
            phase = Phase.SETTLING;
            lastSequence = (nextSequence - 1) & 0xFFFF;
            endNanos = now + SETTLE_NANOS;
            return 0;
        }
        paddingCredit += targetBps * (now - lastTickNanos) / 8e9 - mediaBytesSinceLastTick;
        lastTickNanos = now;
        if (paddingCredit <= 0) {
            paddingCredit = 0;
            return 0;
        }
        int due = (int) Math.min(paddingCredit, 64 * 1024);
        paddingCredit -= due;
        return due;
    }

    /** One packet of a feedback: counted when the probe spans it. */
    void onFeedback(int sequence, int size, boolean received, long arrivalNanos) {
        if (phase == Phase.IDLE || !received || !spans(sequence)) {
            return;
        }
        bytesArrived += size;
        firstArrivalNanos = Math.min(firstArrivalNanos, arrivalNanos);
        lastArrivalNanos = Math.max(lastArrivalNanos, arrivalNanos);
    }

    /**
     * Once the probe's feedback had time to come back: the rate that arrived when the probe got through (at least
     * {@link #SUCCESS_SHARE} of its target), else -1; also -1 while a probe runs or none did.
     */
    long result(long now) {
        if (phase != Phase.SETTLING || now < endNanos) {
            return -1;
        }
        phase = Phase.IDLE;
        long span = lastArrivalNanos - firstArrivalNanos;
        long rate = span > 0 ? (long) (bytesArrived * 8e9 / span) : -1;
        if (rate >= SUCCESS_SHARE * targetBps) {
            intervalNanos = MIN_INTERVAL_NANOS;
            nextAllowedNanos = now + intervalNanos;
            return Math.min(rate, targetBps);
        }
        nextAllowedNanos = now + intervalNanos;
        intervalNanos = Math.min(MAX_INTERVAL_NANOS, 2 * intervalNanos);
        return -1;
    }

    boolean sending() {
        return phase == Phase.SENDING;
    }

    private boolean spans(int sequence) {
        int fromFirst = (sequence - firstSequence) & 0xFFFF;
        if (fromFirst >= 0x8000) {
            return false;
        }
        return lastSequence < 0 || fromFirst <= ((lastSequence - firstSequence) & 0xFFFF);
    }
}
