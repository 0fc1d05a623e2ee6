package dev.parley.control;

import dev.parley.control.events.Event;
import dev.parley.control.events.EventOutbox;
import java.time.Clock;
import java.time.Instant;
import org.jdbi.v3.core.Jdbi;

/**
 * Records decisions about people reported by signaling: lobby activity as {@code participant.waiting/admitted/
 * refused}, removals as {@code participant.removed}.
 */
final class LobbyEvents {
    private final Jdbi jdbi;
    private final Clock clock;
    private final EventOutbox outbox;

    LobbyEvents(Jdbi jdbi, Clock clock, EventOutbox outbox) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.outbox = outbox;
    }

    void waiting(String room, String waitingId, String identity, String name) {
        Instant now = UserStore.now(clock);
        jdbi.useTransaction(h -> outbox.append(h, DomainEvents.participantWaiting(room, meetingId(h, room), waitingId,
                identity, name, now)));
    }

    void decided(boolean admitted, String room, String waitingId, String identity, String by) {
        Instant now = UserStore.now(clock);
        jdbi.useTransaction(h -> {
            Event e = DomainEvents.lobbyDecision(admitted, room, meetingId(h, room), waitingId, identity, by, now);
            outbox.append(h, e);
        });
    }

    void removed(String room, String participantId, String identity, String reason, String by) {
        Instant now = UserStore.now(clock);
        jdbi.useTransaction(h -> outbox.append(h, DomainEvents.participantRemoved(room, meetingId(h, room), participantId,
                identity, reason, by, now)));
    }

    private static String meetingId(org.jdbi.v3.core.Handle h, String room) {
        return MeetingStore.byRoom(h, room).map(Meeting::id).orElse(null);
    }
}
