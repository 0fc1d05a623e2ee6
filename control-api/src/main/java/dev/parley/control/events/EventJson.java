package dev.parley.control.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The JSON forms of an event: its {@code data} alone (the outbox payload column) and the envelope
 * {@code {id,type,version,occurredAt,subject,data}} that Kafka records and webhook bodies carry.
 */
final class EventJson {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    private EventJson() {}

    /** The data map as JSON; IllegalArgumentException when a value cannot be written as JSON. */
    static String dataJson(Event event) {
        try {
            return MAPPER.writeValueAsString(event.data());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("event " + event.type() + " has data that is not JSON-serialisable: "
                    + e.getOriginalMessage(), e);
        }
    }

    static Map<String, Object> parseData(String json) {
        try {
            Map<String, Object> data = MAPPER.readValue(json, MAP);
            if (data == null) {
                throw new IllegalArgumentException("event data is JSON null, expected an object");
            }
            return data;
        } catch (IOException e) {
            throw new IllegalArgumentException("event data is not a JSON object: " + e.getMessage(), e);
        }
    }

    /** The envelope as UTF-8 JSON bytes, fields in a fixed order. */
    static byte[] envelope(Event event) {
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("id", event.id().toString());
        envelope.put("type", event.type());
        envelope.put("version", event.version());
        envelope.put("occurredAt", event.occurredAt().toString());
        envelope.put("subject", event.subject());
        envelope.put("data", event.data());
        try {
            return MAPPER.writeValueAsBytes(envelope);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("event " + event.id() + " cannot be written as JSON: "
                    + e.getOriginalMessage(), e);
        }
    }

    /** Reads an envelope back; IllegalArgumentException when it is not one. */
    static Event parseEnvelope(byte[] json) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("event envelope is not JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("event envelope must be a JSON object");
        }
        try {
            return new Event(
                    UUID.fromString(text(root, "id")),
                    text(root, "type"),
                    root.path("version").asInt(0),
                    Instant.parse(text(root, "occurredAt")),
                    text(root, "subject"),
                    root.path("data").isObject() ? MAPPER.convertValue(root.get("data"), MAP) : Map.of());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("invalid event envelope: " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || !node.isTextual()) {
            throw new IllegalArgumentException("field '" + field + "' missing or not a string");
        }
        return node.asText();
    }
}
