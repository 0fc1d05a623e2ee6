package dev.parley.ai;

/**
 * One endpoint's circuit breaker: opens after a run of failed calls, refuses calls while open, then lets a single
 * probe through (half-open) whose outcome closes it or opens it again. Thread-safe.
 */
final class CircuitBreaker {
    private final int failuresToOpen;
    private final long openNanos;
    private final Runnable onOpen;
    private BreakerState state = BreakerState.CLOSED;
    private int failures;
    private long openedAt;
    private boolean probing;

    CircuitBreaker(int failuresToOpen, long openNanos, Runnable onOpen) {
        this.failuresToOpen = failuresToOpen;
        this.openNanos = openNanos;
        this.onOpen = onOpen;
    }

    /** Whether a call may go now; a true answer in the half-open state is the probe and must be reported. */
    synchronized boolean tryAcquire(long now) {
        switch (state) {
            case CLOSED:
                return true;
            case OPEN:
                if (now - openedAt < openNanos) {
                    return false;
                }
                state = BreakerState.HALF_OPEN;
                probing = true;
                return true;
            default:
                if (probing) {
                    return false;
                }
                probing = true;
                return true;
        }
    }

    /** Whether {@link #tryAcquire} would let a call through now, without taking the probe. */
    synchronized boolean wouldAllow(long now) {
        return switch (state) {
            case CLOSED -> true;
            case OPEN -> now - openedAt >= openNanos;
            case HALF_OPEN -> !probing;
        };
    }

    synchronized void success() {
        state = BreakerState.CLOSED;
        failures = 0;
        probing = false;
    }

    void failure(long now) {
        boolean opened;
        synchronized (this) {
            opened = false;
            probing = false;
            if (state == BreakerState.HALF_OPEN) {
                state = BreakerState.OPEN;
                openedAt = now;
                opened = true;
            } else if (state == BreakerState.CLOSED && ++failures >= failuresToOpen) {
                state = BreakerState.OPEN;
                openedAt = now;
                opened = true;
            }
        }
        if (opened) {
            onOpen.run();
        }
    }

    /** A call that was let through ended without telling anything about the endpoint (e.g. a refused request). */
    synchronized void neutral() {
        if (state == BreakerState.HALF_OPEN) {
            probing = false;
        }
    }

    synchronized BreakerState state(long now) {
        if (state == BreakerState.OPEN && now - openedAt >= openNanos) {
            return BreakerState.HALF_OPEN; // the next call is a probe
        }
        return state;
    }
}
