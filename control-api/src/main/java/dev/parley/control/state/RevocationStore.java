package dev.parley.control.state;

import java.time.Instant;

/** Revoked token ids (JWT {@code jti}), remembered until the token would have expired anyway. */
public interface RevocationStore {
    void revoke(String tokenId, Instant expiresAt);

    boolean isRevoked(String tokenId);
}
