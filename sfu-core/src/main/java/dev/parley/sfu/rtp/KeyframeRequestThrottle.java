package dev.parley.sfu.rtp;

import java.time.Duration;

/**
 * Decides whether a keyframe request (PLI or FIR) from a subscriber may go to the publisher of one stream now.
 *
 * <p>Every subscriber that joins or loses packets asks for a keyframe, and a publisher that encodes one per request
 * spends its bandwidth on keyframes. One request per interval is enough: the keyframe it produces serves every
 * subscriber. Keep one throttle per publisher stream; the caller passes the time, so there is no clock inside.
 *
 * <p>A request that arrives inside the interval is held back, not forgotten: the subscriber that just joined may
 * have connected after the keyframe of the previous request went by, and would otherwise wait for its own
 * browser to ask again or for the encoder's next periodic keyframe (seconds). {@link #takeDeferred} releases it
 * when the interval ends, so the publisher still sees at most one request per interval.
 *
 * <p>A subscriber asks once more when its connection is up ({@link #tryForwardMissed}): it asked already when its
 * handshake began, so that the keyframe comes about when its keys do, and it needs another only when the answer
 * went by before it could receive it. The stream tells the throttle of each keyframe ({@link #onKeyframe}).
 */
public final class KeyframeRequestThrottle {
    /** Default minimum time between two requests forwarded to the same stream. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(300);

    private final long intervalNanos;
    private boolean forwardedAny;
    private long lastForwardNanos;
    private boolean deferred;
    private boolean keyframeSinceForward;

    /** A throttle with the {@link #DEFAULT_INTERVAL}. */
    public KeyframeRequestThrottle() {
        this(DEFAULT_INTERVAL);
    }

    /** A throttle forwarding at most one request per {@code interval} (zero forwards every request). */
    public KeyframeRequestThrottle(Duration interval) {
        if (interval == null || interval.isNegative()) {
            throw new IllegalArgumentException("keyframe request interval must be zero or positive, got " + interval);
        }
        this.intervalNanos = interval.toNanos();
    }

    /**
     * Whether a request arriving at {@code nowNanos} should be forwarded; a true answer counts as forwarded and
     * starts the next interval, a false one is held back for {@link #takeDeferred}.
     *
     * @param nowNanos the current time on a monotonic clock ({@link System#nanoTime()})
     */
    public boolean tryForward(long nowNanos) {
        if (forwardedAny && nowNanos - lastForwardNanos < intervalNanos) {
            deferred = true;
            return false;
        }
        forwarded(nowNanos);
        deferred = false;
        return true;
    }

    /**
     * For a subscriber whose connection just came up, having asked when it began: forwarded when no keyframe can
     * still be on its way to it, i.e. the last forwarded request was answered before (the subscriber missed that
     * keyframe) or is older than the interval. Not forwarded, and nothing held back, while the answer to a recent
     * request is still to come: that keyframe serves this subscriber too.
     */
    public boolean tryForwardMissed(long nowNanos) {
        if (forwardedAny && !keyframeSinceForward && nowNanos - lastForwardNanos < intervalNanos) {
            return false;
        }
        forwarded(nowNanos);
        deferred = false;
        return true;
    }

    /** A keyframe of the stream arrived: it answers the requests forwarded so far. */
    public void onKeyframe() {
        keyframeSinceForward = true;
    }

    private void forwarded(long nowNanos) {
        forwardedAny = true;
        lastForwardNanos = nowNanos;
        keyframeSinceForward = false;
    }

    /**
     * Whether a request held back by {@link #tryForward} is due at {@code nowNanos} (its interval has ended); a true
     * answer counts as forwarded and starts the next interval. Call it from a timer that ticks well within the
     * interval; it costs a field read when nothing is held back.
     */
    public boolean takeDeferred(long nowNanos) {
        if (!deferred || nowNanos - lastForwardNanos < intervalNanos) {
            return false;
        }
        deferred = false;
        forwarded(nowNanos);
        return true;
    }
}
