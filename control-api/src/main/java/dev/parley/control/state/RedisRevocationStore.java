package dev.parley.control.state;

import io.lettuce.core.SetArgs;
import io.lettuce.core.api.sync.RedisCommands;

import java.time.Clock;
import java.time.Instant;
import java.util.Objects;

/** Revoked token ids shared by all nodes: {@code SET <prefix>revoked:<id> 1 PXAT <expiry>}, so Redis forgets them on time. */
public final class RedisRevocationStore implements RevocationStore {
    private final RedisCommands<String, String> redis;
    private final String prefix;
    private final Clock clock;

    RedisRevocationStore(RedisCommands<String, String> redis, String keyPrefix, Clock clock) {
        this.redis = redis;
        this.prefix = keyPrefix + "revoked:";
        this.clock = clock;
    }

    @Override
    public void revoke(String tokenId, Instant expiresAt) {
        Keys.require(tokenId, "tokenId");
        Objects.requireNonNull(expiresAt, "expiresAt");
        if (expiresAt.isAfter(clock.instant())) {
            redis.set(prefix + tokenId, "1", SetArgs.Builder.pxAt(expiresAt.toEpochMilli()));
        }
    }

    @Override
    public boolean isRevoked(String tokenId) {
        Long n = redis.exists(prefix + Keys.require(tokenId, "tokenId"));
        return n != null && n > 0;
    }
}
