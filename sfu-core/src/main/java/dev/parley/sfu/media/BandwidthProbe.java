package dev.parley.sfu.media;

/**
 * Finds out whether a subscriber's path takes more than Parley sends it now, before a higher simulcast layer is
 * forwarded on that hope. The estimate ({@link dev.parley.sfu.bwe.BandwidthEstimator}) never runs far ahead of
 * what the subscriber receives, so a subscriber held to a low layer would stay there: a probe tops the media up
 * with padding, ramping from what the subscriber receives now to the target over {@link #RAMP_NANOS}, then holds
 * the target for {@link #HOLD_NANOS}, and reads the transport-cc feedback for the packets it spans.
 *
 * <p>It fails, and its padding stops at once, on the first sign that the path cannot take it: packets of its span
 * lost (beyond {@link #lossTolerated}) or the delay detector reporting overuse. It succeeds when it ran to its end
 * without either and at least {@link #SUCCESS_SHARE} of the target arrived over the hold. Long on purpose: a
 * policer (a token bucket) lets a burst through at any rate until its bucket is empty, and a bucket may hold a
 * second of traffic; a probe of 1.5 s whose excess over the path grows with the ramp empties such a bucket before
 * it ends, so it fails where the layer it was for would not fit. Stopping at the first loss keeps what a failed
 * probe costs the media to about one feedback interval of excess.
 *
 * <p>The wait before the next probe is {@link #SUCCESS_INTERVAL_NANOS} after a success (the next layer up may need
 * one too) and {@link #FAILURE_INTERVAL_NANOS} after a failure, so a path that gets better is found within a few
 * seconds; a failed probe costs the media little, as it stops at the first loss. A probe aims at the layer the
 * subscriber's tile wants, straight from where it is; after {@link #FAILURES_BEFORE_FALLBACK} failures toward it,
 * one aims at the fallback (the next layer up), so a path between the two is found as well. Loop-confined;
 * nothing allocates.
 */
final class BandwidthProbe {
    /** From what the subscriber receives to the target. */
    static final long RAMP_NANOS = 1_000_000_000L;
    /** At the target, where what arrived is measured. */
    static final long HOLD_NANOS = 500_000_000L;
    /** After the last probe packet, how long its feedback may take to come back. */
    static final long SETTLE_NANOS = 300_000_000L;
    static final long SUCCESS_INTERVAL_NANOS = 1_000_000_000L;
    static final long FAILURE_INTERVAL_NANOS = 2_000_000_000L;
    /** After a layer a probe let through overflowed the path ({@link #backOff}). */
    static final long BACK_OFF_NANOS = 4_000_000_000L;
    /** Probes toward the target that fail in a row before one aims at the fallback. */
    static final int FAILURES_BEFORE_FALLBACK = 2;
    /** A probe counts when at least this share of its target arrived over the hold, without loss or overuse. */
    static final double SUCCESS_SHARE = 0.9;

    /** How much more than a layer needs a probe for it aims at: its measured bitrate moves between probe and choice. */
    static final double MARGIN = 1.1;

    private enum Phase { IDLE, SENDING, SETTLING }

    private Phase phase = Phase.IDLE;
    private long startBps;
    private long targetBps;
    private long startNanos;
    private long endNanos;
    private long nextAllowedNanos;
    /** Probes toward the target that failed in a row. */
    private int highFailures;
    private boolean aimedHigh;
    private double paddingCredit;
    private long lastTickNanos;
    // The transport sequence numbers the probe spans (the hold from holdSequence on), and what their feedback said.
    private int firstSequence;
    private int holdSequence = -1;
    private int lastSequence = -1;
    private int reported;
    private int lost;
    private long holdBytesArrived;
    private long firstArrivalNanos = Long.MAX_VALUE;
    private long lastArrivalNanos = Long.MIN_VALUE;
    private long firstHoldBytes;

    /**
     * Starts a probe unless one runs or the last was too recent; true when started. It aims at {@code targetBps},
     * or at {@code fallbackBps} (when positive and lower) after a probe toward the target failed.
     *
     * @param currentBps what the subscriber receives now (the ramp's start); 0 when unknown
     */
    boolean request(long targetBps, long fallbackBps, long currentBps, long now, int nextSequence) {
        if (phase != Phase.IDLE || now < nextAllowedNanos || targetBps <= 0) {
            return false;
        }
        aimedHigh = !(highFailures >= FAILURES_BEFORE_FALLBACK && fallbackBps > 0 && fallbackBps < targetBps);
        this.targetBps = aimedHigh ? targetBps : fallbackBps;
        this.startBps = Math.max(0, Math.min(currentBps, this.targetBps));
        phase = Phase.SENDING;
        startNanos = now;
        endNanos = now + RAMP_NANOS + HOLD_NANOS;
        lastTickNanos = now;
        paddingCredit = 0;
        firstSequence = nextSequence & 0xFFFF;
        holdSequence = -1;
        lastSequence = -1;
        reported = 0;
        lost = 0;
        holdBytesArrived = 0;
        firstArrivalNanos = Long.MAX_VALUE;
        lastArrivalNanos = Long.MIN_VALUE;
        firstHoldBytes = 0;
        return true;
    }

    /**
     * The padding bytes due since the last tick (0 when not probing); media sent meanwhile counts too, so the
     * padding only fills up to the ramp's rate.
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
        if (holdSequence < 0 && now - startNanos >= RAMP_NANOS) {
            holdSequence = nextSequence & 0xFFFF;
        }
        paddingCredit += rateAt(now) * (now - lastTickNanos) / 8e9 - mediaBytesSinceLastTick;
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
        if (phase == Phase.IDLE || !spans(sequence)) {
            return;
        }
        reported++;
        if (!received) {
            lost++;
            return;
        }
        if (holdSequence >= 0 && ((sequence - holdSequence) & 0xFFFF) < 0x8000) {
            if (holdBytesArrived == 0) {
                firstHoldBytes = size;
            }
            holdBytesArrived += size;
            firstArrivalNanos = Math.min(firstArrivalNanos, arrivalNanos);
            lastArrivalNanos = Math.max(lastArrivalNanos, arrivalNanos);
        }
    }

    /**
     * The end of a feedback: a probe whose packets were lost, or during which the delay detector saw overuse,
     * fails at once (its padding stops). True when it did.
     */
    boolean onFeedbackEnd(boolean overusing, long now) {
        if (phase == Phase.IDLE || (lost <= lossTolerated(reported) && !overusing)) {
            return false;
        }
        fail(now);
        return true;
    }

    /** A layer this path was probed for did not fit after all: no probe for {@link #BACK_OFF_NANOS}. */
    void backOff(long now) {
        phase = Phase.IDLE;
        nextAllowedNanos = Math.max(nextAllowedNanos, now + BACK_OFF_NANOS);
    }

    /**
     * Once the probe's feedback had time to come back: its target when it got through, else -1; also -1 while a
     * probe runs or none did.
     */
    long result(long now) {
        if (phase != Phase.SETTLING || now < endNanos) {
            return -1;
        }
        // The span's first byte arrived at its start: the rate is over the rest.
        long span = lastArrivalNanos - firstArrivalNanos;
        long rate = span > 0 ? (long) ((holdBytesArrived - firstHoldBytes) * 8e9 / span) : -1;
        if (lost > lossTolerated(reported) || rate < SUCCESS_SHARE * targetBps) {
            fail(now);
            return -1;
        }
        phase = Phase.IDLE;
        highFailures = 0;
        nextAllowedNanos = now + SUCCESS_INTERVAL_NANOS;
        return targetBps;
    }

    /**
     * What a probe for a layer of {@code bitrate} aims at: the selector's headroom for going up
     * ({@link SimulcastLayerSelector#UP_HEADROOM}), times the videos sharing the path (each gets an even share),
     * and {@link #MARGIN} more.
     */
    static long targetFor(long bitrate, int videos) {
        return (long) Math.ceil(bitrate * SimulcastLayerSelector.UP_HEADROOM * videos * MARGIN);
    }

    boolean sending() {
        return phase == Phase.SENDING;
    }

    /** The rate the probe sends at {@code now}: up the ramp, then the target. */
    long rateAt(long now) {
        long elapsed = now - startNanos;
        if (elapsed >= RAMP_NANOS) {
            return targetBps;
        }
        return startBps + (long) ((targetBps - startBps) * (double) elapsed / RAMP_NANOS);
    }

    /** The target of the probe running or last run. */
    long targetBps() {
        return targetBps;
    }

    /**
     * Lost packets a probe tolerates: one, and 2% of those reported (a path with a little random loss can still be
     * probed; a policer or an overflowing queue loses far more).
     */
    static int lossTolerated(int reported) {
        return 1 + reported / 50;
    }

    private void fail(long now) {
        phase = Phase.IDLE;
        highFailures = aimedHigh ? highFailures + 1 : 0;
        nextAllowedNanos = now + FAILURE_INTERVAL_NANOS;
    }

    private boolean spans(int sequence) {
        int fromFirst = (sequence - firstSequence) & 0xFFFF;
        if (fromFirst >= 0x8000) {
            return false;
        }
        return lastSequence < 0 || fromFirst <= ((lastSequence - firstSequence) & 0xFFFF);
    }
}
