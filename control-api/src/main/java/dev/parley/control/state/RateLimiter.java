package dev.parley.control.state;

import java.time.Duration;

/** Fixed-window rate limiting shared by all nodes (Redis) or local to one (in memory). */
public interface RateLimiter {
    /** Counts one attempt under {@code key}; false when more than {@code limit} happened within {@code window}. */
    boolean tryAcquire(String key, int limit, Duration window);

    /** Forgets the attempts under {@code key} (e.g. after a successful login). */
    void reset(String key);
}
