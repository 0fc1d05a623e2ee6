package dev.parley.signaling;

import java.time.Instant;

/**
 * Someone in a room's lobby, waiting for a host to admit them. They hold no media resources.
 *
 * @param waitingId names this wait (a host admits or refuses by it); not a participant id
 */
public record WaitingParticipant(String waitingId, String identity, String name, Instant since) {}
