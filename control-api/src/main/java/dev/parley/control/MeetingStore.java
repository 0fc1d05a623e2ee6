package dev.parley.control;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementContext;

/** SQL for meetings. Every method runs on the caller's handle, so callers decide the transaction. */
final class MeetingStore {
    private MeetingStore() {}

    static Meeting map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Meeting(rs.getString("id"), rs.getString("room"), rs.getString("title"), rs.getString("host_id"),
                Database.instant(rs, "scheduled_start"), Database.instant(rs, "scheduled_end"),
                new Meeting.Settings(rs.getBoolean("guests_allowed"), rs.getString("password_hash"), rs.getBoolean("lobby"),
                        rs.getBoolean("recording_allowed"), rs.getInt("max_participants"), rs.getBoolean("captions")),
                Meeting.Status.parse(rs.getString("status")), Database.instant(rs, "created_at"),
                Database.instant(rs, "updated_at"), Database.instant(rs, "ended_at"));
    }

    /** The meeting whose id or room name is {@code key} (links carry the room, the API the id). */
    static Optional<Meeting> byIdOrRoom(Handle h, String key) {
        return h.createQuery("SELECT * FROM meetings WHERE id = :key OR room = :key").bind("key", key)
                .map(MeetingStore::map).findFirst();
    }

    static Optional<Meeting> byRoom(Handle h, String room) {
        return h.createQuery("SELECT * FROM meetings WHERE room = :room").bind("room", room).map(MeetingStore::map).findOne();
    }

    static boolean roomTaken(Handle h, String room) {
        return h.createQuery("SELECT COUNT(*) FROM meetings WHERE room = :room").bind("room", room).mapTo(Integer.class).one() > 0;
    }

    /**
     * Meetings visible to a caller: all for admins ({@code viewer} null), otherwise those they host or have
     * been in; {@code mine} narrows to hosted ones; {@code past} picks ended meetings instead of upcoming/live.
     */
    static List<Meeting> list(Handle h, String viewer, boolean mine, boolean past, int limit, int offset) {
        StringBuilder sql = new StringBuilder("SELECT * FROM meetings WHERE ");
        sql.append(past ? "status = 'ended'" : "status <> 'ended'");
        if (mine) {
            sql.append(" AND host_id = :viewer");
        } else if (viewer != null) {
            sql.append(" AND (host_id = :viewer OR id IN (SELECT meeting_id FROM participant_sessions WHERE identity = :viewer))");
        }
        sql.append(past ? " ORDER BY ended_at DESC, id" : " ORDER BY COALESCE(scheduled_start, created_at), id");
        sql.append(" LIMIT :limit OFFSET :offset");
        var q = h.createQuery(sql.toString()).bind("limit", limit).bind("offset", offset);
        if (mine || viewer != null) {
            q.bind("viewer", viewer);
        }
        return q.map(MeetingStore::map).list();
    }

    static void insert(Handle h, Meeting m) {
        columns(h.createUpdate("""
                INSERT INTO meetings (id, room, title, host_id, scheduled_start, scheduled_end, guests_allowed, password_hash,
                                      lobby, recording_allowed, max_participants, status, created_at, updated_at, ended_at, captions)
                VALUES (:id, :room, :title, :host, :start, :end, :guests, :password, :lobby, :recording, :max, :status,
                        :created, :updated, :ended, :captions)""")
                , m).bind("id", m.id()).bind("room", m.room()).bind("created", Database.ts(m.createdAt())).execute();
    }

    static void update(Handle h, Meeting m) {
        columns(h.createUpdate("""
                UPDATE meetings SET title = :title, host_id = :host, scheduled_start = :start, scheduled_end = :end,
                       guests_allowed = :guests, password_hash = :password, lobby = :lobby, recording_allowed = :recording,
                       max_participants = :max, status = :status, updated_at = :updated, ended_at = :ended, captions = :captions
                WHERE id = :id""")
                , m).bind("id", m.id()).execute();
    }

    /** Binds the mutable columns with explicit types, so nulls bind correctly on PostgreSQL too. */
    private static org.jdbi.v3.core.statement.Update columns(org.jdbi.v3.core.statement.Update u, Meeting m) {
        return u.bind("title", m.title())
                .bindByType("host", m.hostId(), String.class)
                .bindByType("start", Database.ts(m.scheduledStart()), java.time.OffsetDateTime.class)
                .bindByType("end", Database.ts(m.scheduledEnd()), java.time.OffsetDateTime.class)
                .bind("guests", m.settings().guestsAllowed())
                .bindByType("password", m.settings().passwordHash(), String.class)
                .bind("lobby", m.settings().lobby())
                .bind("recording", m.settings().recordingAllowed())
                .bind("max", m.settings().maxParticipants())
                .bind("captions", m.settings().captions())
                .bind("status", m.status().wire())
                .bind("updated", Database.ts(m.updatedAt()))
                .bindByType("ended", Database.ts(m.endedAt()), java.time.OffsetDateTime.class);
    }
}
