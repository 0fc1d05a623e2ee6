package dev.parley.recorder.store;

import java.time.Duration;

/**
 * Bounded exponential backoff between upload attempts: {@code initialDelay}, doubled after each failure up to
 * {@code maxDelay}, at most {@code maxAttempts} attempts in one run of the uploader.
 */
public record RetryPolicy(Duration initialDelay, Duration maxDelay, int maxAttempts) {

    /** One second doubling to five minutes, twelve attempts: about half an hour of outage is ridden out. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(Duration.ofSeconds(1), Duration.ofMinutes(5), 12);

    public RetryPolicy {
        if (initialDelay == null || initialDelay.isNegative() || initialDelay.isZero()) {
            throw new IllegalArgumentException("initial retry delay must be positive, got " + initialDelay);
        }
        if (maxDelay == null || maxDelay.compareTo(initialDelay) < 0) {
            throw new IllegalArgumentException("max retry delay must be at least the initial delay, got " + maxDelay);
        }
        if (maxAttempts < 1 || maxAttempts > 1000) {
            throw new IllegalArgumentException("upload attempts must be between 1 and 1000, got " + maxAttempts);
        }
    }

    /** The pause after failed attempt number {@code attempt} (1-based). */
    public Duration delayAfter(int attempt) {
        int doublings = Math.min(Math.max(attempt - 1, 0), 30);
        long millis = initialDelay.toMillis() << doublings;
        return millis <= 0 || millis > maxDelay.toMillis() ? maxDelay : Duration.ofMillis(millis);
    }
}
