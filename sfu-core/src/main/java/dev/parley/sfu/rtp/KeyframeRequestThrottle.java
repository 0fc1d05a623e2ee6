package dev.parley.sfu.rtp;

import java.time.Duration;

/**
 * Decides whether a keyframe request (PLI or FIR) from a subscriber may go to the publisher of one stream now.
 *
 * <p>Every subscriber that joins or loses packets asks for a keyframe, and a publisher that encodes one per request
 * spends its bandwidth on keyframes. One request per interval is enough: the keyframe it produces serves every
 * subscriber. Keep one throttle per publisher stream; the caller passes the time, so there is no clock inside.
 */
public final class KeyframeRequestThrottle {
    /** Default minimum time between two requests forwarded to the same stream. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(300);

    private final long intervalNanos;
    private boolean forwardedAny;
    private long lastForwardNanos;

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
     * starts the next interval.
     *
     * @param nowNanos the current time on a monotonic clock ({@link System#nanoTime()})
     */
    public boolean tryForward(long nowNanos) {
        if (forwardedAny && nowNanos - lastForwardNanos < intervalNanos) {
            return false;
        }
        forwardedAny = true;
        lastForwardNanos = nowNanos;
        return true;
    }
}
