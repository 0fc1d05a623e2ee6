package dev.parley.control.state;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Revoked token ids in this process, each forgotten once its token would have expired. Expired entries are
 * swept every few hundred revocations, so memory stays proportional to the tokens still alive.
 */
public final class InMemoryRevocationStore implements RevocationStore {
    private static final int SWEEP_EVERY = 256;

    private final Map<String, Instant> revoked = new ConcurrentHashMap<>();
    private final AtomicInteger untilSweep = new AtomicInteger(SWEEP_EVERY);
    private final Clock clock;

    /** A store on the system clock. */
    public InMemoryRevocationStore() {
        this(Clock.systemUTC());
    }

    InMemoryRevocationStore(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void revoke(String tokenId, Instant expiresAt) {
        Keys.require(tokenId, "tokenId");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Instant now = clock.instant();
        if (expiresAt.isAfter(now)) {
            revoked.merge(tokenId, expiresAt, (a, b) -> a.isAfter(b) ? a : b);
        }
        if (untilSweep.decrementAndGet() <= 0) {
            untilSweep.set(SWEEP_EVERY);
            revoked.values().removeIf(at -> !at.isAfter(now));
        }
    }

    @Override
    public boolean isRevoked(String tokenId) {
        Instant until = revoked.get(Keys.require(tokenId, "tokenId"));
        if (until == null) {
            return false;
        }
        if (until.isAfter(clock.instant())) {
            return true;
        }
        revoked.remove(tokenId, until);
        return false;
    }

    int size() {
        return revoked.size();
    }
}
