package dev.parley.control.state;

import dev.parley.testkit.Required;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * Two connections to the local Redis, as two nodes of one deployment use it, under a key prefix of their own so
 * that tests running at once do not meet; closing deletes every key under the prefix.
 */
final class TwoRedisNodes implements AutoCloseable {
    static final String URL = "redis://127.0.0.1:6379/0";

    final String prefix = "parley-test-" + UUID.randomUUID().toString().substring(0, 8) + ":";
    final RedisState a;
    final RedisState b;

    private TwoRedisNodes() {
        RedisState first = null;
        try {
            first = RedisState.connect(URL, prefix);
        } catch (IllegalStateException e) {
            Required.missing("Redis at 127.0.0.1:6379 unreachable", e);
        }
        a = first;
        b = RedisState.connect(URL, prefix);
    }

    /** Connects both, or skips the test (fails it under CI) when Redis is not there. */
    static TwoRedisNodes connect() {
        return new TwoRedisNodes();
    }

    /** Runs {@code f} on a plain connection of its own, for looking at or planting keys as they are in Redis. */
    <T> T raw(Function<RedisCommands<String, String>, T> f) {
        RedisClient client = RedisClient.create(URL);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            return f.apply(c.sync());
        } finally {
            client.shutdown();
        }
    }

    @Override
    public void close() {
        a.close();
        b.close();
        raw(r -> {
            List<String> keys = r.scan(ScanArgs.Builder.matches(prefix + "*").limit(1000)).getKeys();
            return keys.isEmpty() ? 0L : r.del(keys.toArray(String[]::new));
        });
    }
}
