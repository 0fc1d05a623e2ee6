package dev.parley.control;

import dev.parley.control.events.EventOutbox;
import dev.parley.control.state.LiveParticipants;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records presence reported by signaling: the live list (shared state), the persisted history, the
 * {@code participant.*} events, and the meeting's status (live while anyone is in it).
 */
final class ParticipantHistory {
    private static final Logger LOG = LoggerFactory.getLogger(ParticipantHistory.class);

    private final Jdbi jdbi;
    private final Clock clock;
    private final EventOutbox outbox;
    private final LiveParticipants live;

    ParticipantHistory(Jdbi jdbi, Clock clock, EventOutbox outbox, LiveParticipants live) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.outbox = outbox;
        this.live = live;
    }

    void joined(String room, String participantId, String identity, String name) {
        require(room, "room");
        require(participantId, "participantId");
        require(identity, "identity");
        Objects.requireNonNull(name, "name");
        Instant now = UserStore.now(clock);
        jdbi.useTransaction(h -> {
            Meeting m = MeetingStore.byRoom(h, room).orElse(null);
            h.createUpdate("""
                    INSERT INTO participant_sessions (id, room, meeting_id, participant_id, identity, name, joined_at)
                    VALUES (:id, :room, :meeting, :pid, :identity, :name, :at)""")
                    .bind("id", UUID.randomUUID().toString()).bind("room", room)
                    .bindByType("meeting", m == null ? null : m.id(), String.class)
                    .bind("pid", participantId).bind("identity", identity).bind("name", name).bind("at", Database.ts(now))
                    .execute();
            outbox.append(h, DomainEvents.participantJoined(room, m == null ? null : m.id(), participantId, identity, name, now));
            if (m != null && m.status() == Meeting.Status.SCHEDULED) {
                Meeting started = m.withStatus(Meeting.Status.LIVE, now);
                MeetingStore.update(h, started);
                outbox.append(h, DomainEvents.meetingUpdated(started, List.of("status")));
            }
        });
        live.joined(room, new LiveParticipants.LiveParticipant(participantId, identity, name, now));
    }

    void left(String room, String participantId) {
        require(room, "room");
        require(participantId, "participantId");
        live.left(room, participantId);
        boolean empty = live.list(room).isEmpty();
        Instant now = UserStore.now(clock);
        jdbi.useTransaction(h -> {
            var open = h.createQuery("""
                    SELECT id, meeting_id, identity, joined_at FROM participant_sessions
                    WHERE room = :room AND participant_id = :pid AND left_at IS NULL ORDER BY joined_at DESC""")
                    .bind("room", room).bind("pid", participantId)
                    .map((rs, ctx) -> new Open(rs.getString("id"), rs.getString("meeting_id"), rs.getString("identity"),
                            Database.instant(rs, "joined_at")))
                    .list();
            if (open.isEmpty()) {
                LOG.debug("participant {} left room {} without a recorded join; ignored", participantId, room);
                return;
            }
            h.createUpdate("UPDATE participant_sessions SET left_at = :at WHERE room = :room AND participant_id = :pid AND left_at IS NULL")
                    .bind("at", Database.ts(now)).bind("room", room).bind("pid", participantId).execute();
            Open session = open.get(0);
            outbox.append(h, DomainEvents.participantLeft(room, session.meetingId, participantId, session.identity, session.joinedAt, now));
            if (empty) {
                MeetingStore.byRoom(h, room).filter(m -> m.status() == Meeting.Status.LIVE).ifPresent(m -> {
                    Meeting idle = m.withStatus(Meeting.Status.SCHEDULED, now);
                    MeetingStore.update(h, idle);
                    outbox.append(h, DomainEvents.meetingUpdated(idle, List.of("status")));
                });
            }
        });
    }

    static List<Map<String, Object>> forMeeting(Handle h, String meetingId, int limit, int offset) {
        return h.createQuery("""
                SELECT participant_id, identity, name, joined_at, left_at FROM participant_sessions
                WHERE meeting_id = :meeting ORDER BY joined_at, id LIMIT :limit OFFSET :offset""")
                .bind("meeting", meetingId).bind("limit", limit).bind("offset", offset)
                .map((rs, ctx) -> {
                    Map<String, Object> v = new LinkedHashMap<>();
                    v.put("participantId", rs.getString("participant_id"));
                    v.put("identity", rs.getString("identity"));
                    v.put("name", rs.getString("name"));
                    v.put("joinedAt", Database.instant(rs, "joined_at"));
                    v.put("leftAt", Database.instant(rs, "left_at"));
                    return v;
                })
                .list();
    }

    private static void require(String value, String what) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(what + " must be a non-empty string");
        }
    }

    private record Open(String id, String meetingId, String identity, Instant joinedAt) {}
}
