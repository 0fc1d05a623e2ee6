package dev.parley.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Typed, validated access to a JSON object request body. Readers collect every field error instead of stopping
 * at the first, so one 400 answer lists all of them; call {@link #check()} once all fields are read.
 */
final class JsonBody {
    private final ObjectNode node;
    private final String prefix;
    private final List<ApiProblem.FieldError> errors;

    private JsonBody(ObjectNode node, String prefix, List<ApiProblem.FieldError> errors) {
        this.node = node;
        this.prefix = prefix;
        this.errors = errors;
    }

    /** Parses {@code body}, which must be one JSON object whose fields are all in {@code allowed}. */
    static JsonBody parse(byte[] body, Set<String> allowed) {
        JsonNode node = JsonCodec.parse(body);
        if (!(node instanceof ObjectNode object)) {
            throw new ApiProblem(ProblemType.MALFORMED_JSON, "the request body must be a JSON object, not " + kind(node));
        }
        JsonBody json = new JsonBody(object, "", new ArrayList<>());
        json.rejectUnknown(allowed);
        return json;
    }

    /** An empty body, for endpoints whose body is optional. */
    static JsonBody empty() {
        return new JsonBody(JsonCodec.MAPPER.createObjectNode(), "", new ArrayList<>());
    }

    /** The nested object {@code field} (or an empty one when absent), sharing this body's error list. */
    JsonBody object(String field, Set<String> allowed) {
        JsonNode value = node.get(field);
        JsonBody nested = new JsonBody(JsonCodec.MAPPER.createObjectNode(), prefix + field + ".", errors);
        if (value == null || value.isNull()) {
            return nested;
        }
        if (!(value instanceof ObjectNode object)) {
            error(field, "must be an object, not " + kind(value));
            return nested;
        }
        JsonBody real = new JsonBody(object, prefix + field + ".", errors);
        real.rejectUnknown(allowed);
        return real;
    }

    boolean has(String field) {
        return node.has(field);
    }

    /** True when the field is present with an explicit JSON null (PATCH uses it to clear a value). */
    boolean isNull(String field) {
        return node.has(field) && node.get(field).isNull();
    }

    /**
     * A text field of at most {@code maxCodePoints} characters (Unicode code points), or null when absent.
     * Text must be valid Unicode without NUL: PostgreSQL cannot store NUL and lone surrogates are not text.
     */
    String text(String field, int minCodePoints, int maxCodePoints, boolean required) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                error(field, "is required");
            }
            return null;
        }
        if (!value.isTextual()) {
            error(field, "must be a string, not " + kind(value));
            return null;
        }
        String text = value.textValue();
        String problem = TextRules.problem(text, minCodePoints, maxCodePoints);
        if (problem != null) {
            error(field, problem);
            return null;
        }
        return text;
    }

    Boolean bool(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isBoolean()) {
            error(field, "must be true or false, not " + kind(value));
            return null;
        }
        return value.booleanValue();
    }

    Integer integer(String field, int min, int max) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < min || value.intValue() > max) {
            error(field, "must be an integer from " + min + " to " + max);
            return null;
        }
        return value.intValue();
    }

    /** An RFC 3339 timestamp with an offset ({@code 2030-01-02T10:00:00Z}), or null when absent. */
    Instant instant(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            error(field, "must be an RFC 3339 timestamp string such as 2030-01-02T10:00:00Z");
            return null;
        }
        try {
            return java.time.OffsetDateTime.parse(value.textValue()).toInstant();
        } catch (DateTimeParseException e) {
            error(field, "must be an RFC 3339 timestamp such as 2030-01-02T10:00:00Z");
            return null;
        }
    }

    /** Adds an error found by a cross-field rule. */
    void error(String field, String message) {
        errors.add(new ApiProblem.FieldError(prefix + field, message));
    }

    /** Throws one validation problem listing every error found so far. */
    void check() {
        if (errors.isEmpty()) {
            return;
        }
        StringBuilder detail = new StringBuilder();
        for (ApiProblem.FieldError e : errors) {
            if (!detail.isEmpty()) {
                detail.append("; ");
            }
            detail.append(e.field()).append(' ').append(e.message());
        }
        throw new ApiProblem(ProblemType.VALIDATION, detail.toString(), errors, java.util.Map.of());
    }

    private void rejectUnknown(Set<String> allowed) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                error(TextRules.printable(name), "is not a known field (known: " + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
            }
        }
    }

    private static String kind(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case BOOLEAN -> "a boolean";
            case NUMBER -> "a number";
            case STRING -> "a string";
            case NULL -> "null";
            case OBJECT -> "an object";
            default -> "unsupported";
        };
    }
}
