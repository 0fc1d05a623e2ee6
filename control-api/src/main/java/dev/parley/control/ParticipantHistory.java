package dev.parley.control;

import dev.parley.control.events.EventOutbox;
import dev.parley.control.state.LiveParticipants;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
    private final String nodeId;

    /** @param nodeId stamped on the presence rows this node records (see {@link #closeOpen}) */
    ParticipantHistory(Jdbi jdbi, Clock clock, EventOutbox outbox, LiveParticipants live, String nodeId) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.outbox = outbox;
        this.live = live;
        this.nodeId = nodeId;
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
                    INSERT INTO participant_sessions (id, room, meeting_id, participant_id, identity, name, joined_at, node_id)
                    VALUES (:id, :room, :meeting, :pid, :identity, :name, :at, :node)""")
                    .bind("id", UUID.randomUUID().toString()).bind("room", room)
                    .bindByType("meeting", m == null ? null : m.id(), String.class)
                    .bind("pid", participantId).bind("identity", identity).bind("name", name).bind("at", Database.ts(now))
                    .bind("node", nodeId).execute();
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
                    .map((rs, ctx) -> new Open(rs.getString("id"), room, participantId, rs.getString("meeting_id"),
                            rs.getString("identity"), Database.instant(rs, "joined_at")))
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

    /**
     * Closes every presence this node still has open (and those recorded before rows named their node), as
     * if each participant had left: {@code left_at} is set, {@code participant.left} is emitted, they leave
     * the live list, and a meeting nobody is left in stops being {@code live}. Run at start, for what a crash
     * left open, and at shutdown, after signaling has closed its sessions. Returns how many were closed.
     */
    int closeOpen() {
        Instant now = UserStore.now(clock);
        List<Open> closed = jdbi.inTransaction(h -> {
            List<Open> open = h.createQuery("""
                    SELECT id, room, participant_id, meeting_id, identity, joined_at FROM participant_sessions
                    WHERE left_at IS NULL AND (node_id = :node OR node_id IS NULL) ORDER BY joined_at, id""")
                    .bind("node", nodeId)
                    .map((rs, ctx) -> new Open(rs.getString("id"), rs.getString("room"), rs.getString("participant_id"),
                            rs.getString("meeting_id"), rs.getString("identity"), Database.instant(rs, "joined_at")))
                    .list();
            Set<String> rooms = new LinkedHashSet<>();
            for (Open o : open) {
                h.createUpdate("UPDATE participant_sessions SET left_at = :at WHERE id = :id AND left_at IS NULL")
                        .bind("at", Database.ts(now)).bind("id", o.id).execute();
                outbox.append(h, DomainEvents.participantLeft(o.room, o.meetingId, o.participantId, o.identity, o.joinedAt, now));
                rooms.add(o.room);
            }
            for (String room : rooms) {
                boolean stillPresent = h.createQuery("SELECT COUNT(*) FROM participant_sessions WHERE room = :room AND left_at IS NULL")
                        .bind("room", room).mapTo(Long.class).one() > 0;
                if (!stillPresent) {
                    MeetingStore.byRoom(h, room).filter(m -> m.status() == Meeting.Status.LIVE).ifPresent(m -> {
                        Meeting idle = m.withStatus(Meeting.Status.SCHEDULED, now);
                        MeetingStore.update(h, idle);
                        outbox.append(h, DomainEvents.meetingUpdated(idle, List.of("status")));
                    });
                }
            }
            return open;
        });
        for (Open o : closed) {
            try {
                live.left(o.room, o.participantId);
            } catch (RuntimeException e) {
                // The live list expires idle rooms by itself; the history above is what must be right.
                LOG.warn("could not drop {} from the live list of {}: {}", o.participantId, o.room, e.toString());
            }
        }
        if (!closed.isEmpty()) {
            LOG.info("closed {} participant presence(s) left open on this node", closed.size());
        }
        return closed.size();
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

    private record Open(String id, String room, String participantId, String meetingId, String identity, Instant joinedAt) {}
}
