package dev.parley.recorder.media;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One publisher's wall clock (the NTP time in its RTCP sender reports) mapped onto the local clock. Give the same
 * instance to the recorders of all of a publisher's tracks: since their sender reports share the publisher's
 * clock, their {@link TrackStats#syncCorrectionMillis()} then agree on when each frame was captured, which is
 * what lines audio up with video.
 *
 * <p>The offset is the smallest (local arrival - NTP send time) seen over the sender reports, i.e. the one with
 * the least network delay. Thread-safe.
 */
public final class SenderClock {
    private final AtomicLong offsetNanos = new AtomicLong(Long.MAX_VALUE);

    /** Takes a sender report's NTP time (nanoseconds) and its local arrival time. */
    void observe(long ntpNanos, long localNanos) {
        long offset = localNanos - ntpNanos;
        offsetNanos.accumulateAndGet(offset, Math::min);
    }

    boolean known() {
        return offsetNanos.get() != Long.MAX_VALUE;
    }

    /** Local time of an NTP time; only when {@link #known()}. */
    long toLocal(long ntpNanos) {
        return ntpNanos + offsetNanos.get();
    }

    /** An RTCP 64-bit NTP timestamp (seconds since 1900 in the high word, fraction in the low) in nanoseconds. */
    static long ntpNanos(long ntp) {
        long seconds = ntp >>> 32;
        long fraction = ntp & 0xFFFF_FFFFL;
        return seconds * 1_000_000_000L + (fraction * 1_000_000_000L >>> 32);
    }
}
