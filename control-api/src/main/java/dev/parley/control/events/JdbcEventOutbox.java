package dev.parley.control.events;

import org.jdbi.v3.core.Handle;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The outbox on the {@code event_outbox} table (migration V2). {@link #append} refuses to run outside a
 * transaction, because an event written on its own could exist without its change, or the reverse.
 */
public final class JdbcEventOutbox implements EventOutbox {
    /** Lower-case dotted names such as {@code meeting.created}; the first part becomes part of a Kafka topic name. */
    private static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9_-]{0,49}(\\.[a-z0-9_-]{1,49})*");
    static final int MAX_TYPE_LENGTH = 100;
    static final int MAX_SUBJECT_LENGTH = 255;

    private final Runnable afterCommit;

    /** An outbox that does nothing after commit; the relay finds new rows on its next poll. */
    public JdbcEventOutbox() {
        this(() -> {});
    }

    /**
     * An outbox that runs {@code afterCommit} once the appending transaction commits, typically
     * {@link OutboxRelay#wake()} so the event leaves without waiting for the next poll.
     */
    public JdbcEventOutbox(Runnable afterCommit) {
        this.afterCommit = Objects.requireNonNull(afterCommit, "afterCommit");
    }

    @Override
    public void append(Handle handle, Event event) {
        Objects.requireNonNull(handle, "handle");
        Objects.requireNonNull(event, "event");
        validate(event);
        if (!handle.isInTransaction()) {
            throw new IllegalStateException("event " + event.type()
                    + " must be appended inside the transaction of the change it describes (use jdbi.useTransaction)");
        }
        String payload = EventJson.dataJson(event);
        handle.createUpdate("""
                        INSERT INTO event_outbox (id, type, version, subject, occurred_at, payload)
                        VALUES (:id, :type, :version, :subject, :occurredAt, :payload)""")
                .bind("id", event.id().toString())
                .bind("type", event.type())
                .bind("version", event.version())
                .bind("subject", event.subject())
                .bind("occurredAt", OffsetDateTime.ofInstant(event.occurredAt(), ZoneOffset.UTC))
                .bind("payload", payload)
                .execute();
        handle.afterCommit(afterCommit);
    }

    static void validate(Event event) {
        if (event.type().length() > MAX_TYPE_LENGTH || !TYPE.matcher(event.type()).matches()) {
            throw new IllegalArgumentException("event type '" + event.type()
                    + "' must be lower-case dotted words such as 'meeting.created' (at most "
                    + MAX_TYPE_LENGTH + " characters)");
        }
        if (event.subject().isBlank() || event.subject().length() > MAX_SUBJECT_LENGTH) {
            throw new IllegalArgumentException("event subject must be 1.." + MAX_SUBJECT_LENGTH
                    + " characters, was " + event.subject().length());
        }
    }
}
