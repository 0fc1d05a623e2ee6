package dev.parley.control.state;

import java.time.Instant;
import java.util.List;

/** Who is in which room right now, as the signaling side reports it; shared by all nodes when on Redis. */
public interface LiveParticipants {
    record LiveParticipant(String participantId, String identity, String name, Instant joinedAt) {}

    void joined(String room, LiveParticipant participant);

    void left(String room, String participantId);

    List<LiveParticipant> list(String room);
}
