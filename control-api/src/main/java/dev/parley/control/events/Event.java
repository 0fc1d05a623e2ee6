package dev.parley.control.events;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * A versioned domain event ({@code meeting.created}, {@code participant.joined}, ...).
 *
 * <p>{@code id} is unique per event and lets consumers drop duplicates: delivery is at least once.
 * {@code subject} is what the event is about (a meeting id, a room name); it is the Kafka record key,
 * so events about one subject stay in order. {@code data} holds JSON-serialisable values only.
 */
public record Event(UUID id, String type, int version, Instant occurredAt, String subject, Map<String, Object> data) {
    public Event {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(subject, "subject");
        data = Map.copyOf(data);
        if (version < 1) {
            throw new IllegalArgumentException("event version must be >= 1, was " + version);
        }
    }

    /** A new version-1 event that happened now. */
    public static Event of(String type, String subject, Map<String, Object> data) {
        return new Event(UUID.randomUUID(), type, 1, Instant.now(), subject, data);
    }

    /** The Kafka topic family: the part of the type before the first dot ({@code meeting}, {@code participant}). */
    public String category() {
        int dot = type.indexOf('.');
        return dot < 0 ? type : type.substring(0, dot);
    }
}
