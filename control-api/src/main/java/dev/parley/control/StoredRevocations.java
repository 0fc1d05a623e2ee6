package dev.parley.control;

import dev.parley.control.state.RevocationStore;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * Revoked token ids kept in the database ({@code revoked_tokens}), so a logout outlives a restart and every
 * node sharing the database sees it. The given store (in memory, or Redis shared by nodes) is only a cache
 * in front: a hit there answers without a query, a miss always asks the database, so a cache that lost its
 * data (a restarted Redis, a new process) never lets a revoked token back in.
 */
final class StoredRevocations implements RevocationStore {
    private static final int PURGE_EVERY = 256;

    private final Jdbi jdbi;
    private final RevocationStore cache;
    private final Clock clock;
    private final AtomicInteger untilPurge = new AtomicInteger(PURGE_EVERY);

    StoredRevocations(Jdbi jdbi, RevocationStore cache, Clock clock) {
        this.jdbi = jdbi;
        this.cache = cache;
        this.clock = clock;
    }

    /** Writes the revocation (committed before this returns, so before the logout's answer), then caches it. */
    @Override
    public void revoke(String tokenId, Instant expiresAt) {
        requireId(tokenId);
        Objects.requireNonNull(expiresAt, "expiresAt");
        Instant now = clock.instant();
        if (!expiresAt.isAfter(now)) {
            return;
        }
        try {
            jdbi.useHandle(h -> h.createUpdate("""
                    INSERT INTO revoked_tokens (token_id, expires_at)
                    SELECT :id, :exp WHERE NOT EXISTS (SELECT 1 FROM revoked_tokens WHERE token_id = :id)""")
                    .bind("id", tokenId).bind("exp", Database.ts(expiresAt)).execute());
        } catch (UnableToExecuteStatementException e) {
            if (!isUniqueViolation(e)) {
                throw e;
            }
            // A concurrent revocation of the same token won the insert; it is revoked either way.
        }
        cache.revoke(tokenId, expiresAt);
        if (untilPurge.decrementAndGet() <= 0) {
            untilPurge.set(PURGE_EVERY);
            purgeExpired();
        }
    }

    @Override
    public boolean isRevoked(String tokenId) {
        requireId(tokenId);
        if (cache.isRevoked(tokenId)) {
            return true;
        }
        Instant now = clock.instant();
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT COUNT(*) FROM revoked_tokens WHERE token_id = :id AND expires_at > :now")
                .bind("id", tokenId).bind("now", Database.ts(now)).mapTo(Long.class).one()) > 0;
    }

    /** Deletes revocations of tokens that have expired anyway; returns how many. */
    int purgeExpired() {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM revoked_tokens WHERE expires_at <= :now")
                .bind("now", Database.ts(clock.instant())).execute());
    }

    private static void requireId(String tokenId) {
        Objects.requireNonNull(tokenId, "tokenId");
        if (tokenId.isBlank() || tokenId.length() > 512) {
            throw new IllegalArgumentException("tokenId must be 1..512 characters and not blank");
        }
    }

    static boolean isUniqueViolation(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
