package dev.parley.control.state;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;

import java.time.Duration;

/**
 * Fixed-window counters shared by all nodes: key {@code <prefix>rate:<key>}, INCR then PEXPIRE on the first
 * hit, both in one Lua script so a crash between them cannot leave a counter that never expires.
 */
public final class RedisRateLimiter implements RateLimiter {
    private static final String INCR_WITH_WINDOW = """
            local count = redis.call('INCR', KEYS[1])
            if count == 1 or redis.call('PTTL', KEYS[1]) < 0 then
              redis.call('PEXPIRE', KEYS[1], ARGV[1])
            end
            return count""";

    private final RedisCommands<String, String> redis;
    private final String prefix;

    RedisRateLimiter(RedisCommands<String, String> redis, String keyPrefix) {
        this.redis = redis;
        this.prefix = keyPrefix + "rate:";
    }

    @Override
    public boolean tryAcquire(String key, int limit, Duration window) {
        Keys.require(key, "rate limit key");
        Keys.requireLimit(limit, window);
        Long count = redis.eval(INCR_WITH_WINDOW, ScriptOutputType.INTEGER, new String[] {prefix + key},
                Long.toString(window.toMillis()));
        return count != null && count <= limit;
    }

    @Override
    public void reset(String key) {
        redis.del(prefix + Keys.require(key, "rate limit key"));
    }
}
