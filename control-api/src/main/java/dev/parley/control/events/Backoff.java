package dev.parley.control.events;

import java.time.Duration;

/** Exponential retry delays: initial, doubled per consecutive failure, capped at max. */
record Backoff(Duration initial, Duration max) {
    Backoff {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max, got " + initial + " and " + max);
        }
    }

    /** The delay before retry number {@code failures} (1 = after the first failure). */
    Duration delay(int failures) {
        int doublings = Math.max(0, Math.min(failures - 1, 30));
        if (initial.toMillis() > (max.toMillis() >> doublings)) {
            return max;
        }
        return Duration.ofMillis(initial.toMillis() << doublings);
    }
}
