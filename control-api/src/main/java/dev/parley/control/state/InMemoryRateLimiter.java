package dev.parley.control.state;

import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fixed-window counters in this process. A window starts at a key's first attempt and lasts the given
 * duration, as the Redis version's INCR + PEXPIRE does. At most {@code maxKeys} windows are kept: past
 * that, expired windows are dropped first, then those closest to expiring.
 */
public final class InMemoryRateLimiter implements RateLimiter {
    private record Window(long endMillis, int count) {}

    private final Map<String, Window> windows = new ConcurrentHashMap<>();
    private final int maxKeys;
    private final Clock clock;

    /** A limiter keeping at most 100 000 keys. */
    public InMemoryRateLimiter() {
        this(100_000, Clock.systemUTC());
    }

    InMemoryRateLimiter(int maxKeys, Clock clock) {
        if (maxKeys < 1) {
            throw new IllegalArgumentException("maxKeys must be positive, was " + maxKeys);
        }
        this.maxKeys = maxKeys;
        this.clock = clock;
    }

    @Override
    public boolean tryAcquire(String key, int limit, Duration window) {
        Keys.require(key, "rate limit key");
        Keys.requireLimit(limit, window);
        long now = clock.millis();
        Window w = windows.compute(key, (k, old) -> old == null || now >= old.endMillis()
                ? new Window(now + window.toMillis(), 1)
                : new Window(old.endMillis(), old.count() == Integer.MAX_VALUE ? old.count() : old.count() + 1));
        if (windows.size() > maxKeys) {
            shrink(now);
        }
        return w.count() <= limit;
    }

    @Override
    public void reset(String key) {
        windows.remove(Keys.require(key, "rate limit key"));
    }

    int size() {
        return windows.size();
    }

    private synchronized void shrink(long now) {
        windows.values().removeIf(w -> now >= w.endMillis());
        int excess = windows.size() - maxKeys * 9 / 10;
        if (excess > 0) {
            windows.entrySet().stream()
                    .sorted(Comparator.comparingLong(e -> e.getValue().endMillis()))
                    .limit(excess)
                    .map(Map.Entry::getKey)
                    .toList()
                    .forEach(windows::remove);
        }
    }
}
