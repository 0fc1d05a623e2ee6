package dev.parley.control;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/**
 * Opaque, rotating refresh tokens. Only their SHA-256 is stored. Each login starts a family; each refresh
 * retires the presented token and issues its successor. Presenting a retired token means it was copied, so
 * the whole family is revoked and the thief and the victim both have to log in again.
 */
final class RefreshTokens {
    static final Duration TTL = Duration.ofDays(30);

    /** The outcome of presenting a refresh token. */
    sealed interface Rotation {}

    record Rotated(String userId, String token) implements Rotation {}

    record Reused() implements Rotation {}

    record Invalid() implements Rotation {}

    private final SecureRandom random = new SecureRandom();
    private final Clock clock;

    RefreshTokens(Clock clock) {
        this.clock = clock;
    }

    /** Starts a new family for {@code userId}; returns the token to hand to the client. */
    String start(Handle h, String userId) {
        return insert(h, userId, UUID.randomUUID().toString());
    }

    /** Rotates {@code token}; on reuse, revokes its family (the caller must commit before answering 401). */
    Rotation rotate(Handle h, String token) {
        Instant now = UserStore.now(clock);
        var row = h.createQuery("SELECT id, family_id, user_id, expires_at, rotated_at, revoked_at FROM refresh_tokens WHERE token_hash = :hash")
                .bind("hash", hash(token))
                .map((rs, ctx) -> new Row(rs.getString("id"), rs.getString("family_id"), rs.getString("user_id"),
                        Database.instant(rs, "expires_at"), Database.instant(rs, "rotated_at"), Database.instant(rs, "revoked_at")))
                .findOne().orElse(null);
        if (row == null || row.revokedAt != null && row.rotatedAt == null || !now.isBefore(row.expiresAt)) {
            return new Invalid();
        }
        // Conditional update: of two concurrent refreshes with the same token, only one wins; the other is a reuse.
        int won = h.createUpdate("UPDATE refresh_tokens SET rotated_at = :now WHERE id = :id AND rotated_at IS NULL AND revoked_at IS NULL")
                .bind("now", Database.ts(now)).bind("id", row.id).execute();
        if (won != 1) {
            revokeFamily(h, row.familyId);
            return new Reused();
        }
        return new Rotated(row.userId, insert(h, row.userId, row.familyId));
    }

    /** Revokes the family {@code token} belongs to (logout); unknown tokens are ignored. */
    void revokeFamilyOf(Handle h, String token) {
        h.createQuery("SELECT family_id FROM refresh_tokens WHERE token_hash = :hash").bind("hash", hash(token))
                .mapTo(String.class).findOne().ifPresent(family -> revokeFamily(h, family));
    }

    /** Revokes every session of {@code userId} (account disabled or password changed). */
    void revokeUser(Handle h, String userId) {
        h.createUpdate("UPDATE refresh_tokens SET revoked_at = :now WHERE user_id = :user AND revoked_at IS NULL")
                .bind("now", Database.ts(UserStore.now(clock))).bind("user", userId).execute();
    }

    private void revokeFamily(Handle h, String familyId) {
        h.createUpdate("UPDATE refresh_tokens SET revoked_at = :now WHERE family_id = :family AND revoked_at IS NULL")
                .bind("now", Database.ts(UserStore.now(clock))).bind("family", familyId).execute();
    }

    private String insert(Handle h, String userId, String familyId) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Instant now = UserStore.now(clock);
        h.createUpdate("""
                INSERT INTO refresh_tokens (id, family_id, user_id, token_hash, created_at, expires_at)
                VALUES (:id, :family, :user, :hash, :created, :expires)""")
                .bind("id", UUID.randomUUID().toString()).bind("family", familyId).bind("user", userId)
                .bind("hash", hash(token)).bind("created", Database.ts(now)).bind("expires", Database.ts(now.plus(TTL)))
                .execute();
        return token;
    }

    static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is unavailable", e);
        }
    }

    private record Row(String id, String familyId, String userId, Instant expiresAt, Instant rotatedAt, Instant revokedAt) {}
}
