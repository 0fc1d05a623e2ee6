package dev.parley.control;

import java.time.Instant;
import java.util.Objects;

/**
 * What a verified join token allows: who joins ({@code identity}, shown as {@code name}) which room, and whether
 * they may publish, subscribe, record and act as host. Signaling admits a participant with exactly these rights.
 */
public record JoinGrant(String room, String identity, String name, boolean canPublish, boolean canSubscribe,
                        boolean canRecord, boolean isHost, Instant expiresAt) {
    public JoinGrant {
        Objects.requireNonNull(room, "room");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }
}
