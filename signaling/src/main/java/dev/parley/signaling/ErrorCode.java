package dev.parley.signaling;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The codes an {@code error} message may carry, exactly the table in docs/protocol.md (a test keeps the two
 * equal). A closed set, so that counting errors by code can never grow a metric label from client input.
 */
public enum ErrorCode {
    BAD_MESSAGE, UNKNOWN_TYPE, NOT_JOINED, ALREADY_JOINED, AUTH, MEETING_ENDED, MEETING_FULL, ACCOUNT_DISABLED,
    ACCOUNT_DELETED, GUESTS_NOT_ALLOWED, PASSWORD_REQUIRED, REMOVED, LOBBY_FULL, LOBBY_REFUSED, NOT_WAITING,
    NOT_IN_ROOM, BAD_SDP, STALE_ANSWER, TOO_LARGE, FORBIDDEN, INTERNAL, ROOM_FULL, TOO_MANY_TRACKS,
    TOO_MANY_CONNECTIONS, TOO_MANY_ROOMS, RATE_LIMITED, SHUTTING_DOWN, TOO_MANY_PENDING, RECORDING_NOT_ALLOWED,
    RECORDING_IN_PROGRESS, RECORDING_NOT_ACTIVE, RECORDING_UNAVAILABLE, MEDIA_PORTS_EXHAUSTED, WRONG_NODE, CAPTIONS_UNAVAILABLE,
    TOO_MANY_SCREENS, RESUME_REFUSED;

    private static final Map<String, ErrorCode> BY_WIRE_NAME;
    private final String wireName = name().toLowerCase(Locale.ROOT);

    static {
        Map<String, ErrorCode> m = new HashMap<>();
        for (ErrorCode c : values()) {
            m.put(c.wireName(), c);
        }
        BY_WIRE_NAME = Map.copyOf(m);
    }

    /** The code as sent in the {@code code} field, e.g. {@code too_many_connections}. */
    public String wireName() {
        return wireName;
    }

    /** The code with that wire name, or null for a string that is not one of them. */
    static ErrorCode ofWireName(String code) {
        return code == null ? null : BY_WIRE_NAME.get(code);
    }
}
