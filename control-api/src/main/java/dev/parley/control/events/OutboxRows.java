package dev.parley.control.events;

import org.jdbi.v3.core.Jdbi;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

/** The relay's reads and writes on {@code event_outbox}: pending rows in seq order, and their outcome. */
final class OutboxRows {
    /** One undelivered row; {@code event} is decoded lazily so a corrupt payload is reported as that row's failure. */
    record Pending(long seq, String id, String type, int version, String subject, OffsetDateTime occurredAt,
                   String payload) {
        Event event() {
            return new Event(UUID.fromString(id), type, version, occurredAt.toInstant(), subject,
                    EventJson.parseData(payload));
        }
    }

    private static final int MAX_ERROR_LENGTH = 1000;
    private final Jdbi jdbi;

    OutboxRows(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    List<Pending> nextBatch(int limit) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT seq, id, type, version, subject, occurred_at, payload
                        FROM event_outbox WHERE delivered_at IS NULL ORDER BY seq LIMIT :limit""")
                .bind("limit", limit)
                .map((rs, ctx) -> new Pending(rs.getLong("seq"), rs.getString("id"), rs.getString("type"),
                        rs.getInt("version"), rs.getString("subject"),
                        rs.getObject("occurred_at", OffsetDateTime.class), rs.getString("payload")))
                .list());
    }

    void markDelivered(long seq, Instant at) {
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE event_outbox SET delivered_at = :at, attempts = attempts + 1 WHERE seq = :seq""")
                .bind("at", OffsetDateTime.ofInstant(at, ZoneOffset.UTC))
                .bind("seq", seq)
                .execute());
    }

    void markFailed(long seq, String error) {
        String trimmed = error.length() > MAX_ERROR_LENGTH ? error.substring(0, MAX_ERROR_LENGTH) : error;
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE event_outbox SET attempts = attempts + 1, last_error = :error WHERE seq = :seq""")
                .bind("error", trimmed)
                .bind("seq", seq)
                .execute());
    }

    long pendingCount() {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM event_outbox WHERE delivered_at IS NULL")
                .mapTo(Long.class)
                .one());
    }

    /** Deletes rows delivered before {@code cutoff}; returns how many. */
    int purgeDeliveredBefore(Instant cutoff) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        DELETE FROM event_outbox WHERE delivered_at IS NOT NULL AND delivered_at < :cutoff""")
                .bind("cutoff", OffsetDateTime.ofInstant(cutoff, ZoneOffset.UTC))
                .execute());
    }
}
