package dev.parley.control;

import dev.parley.control.events.Event;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The events the control plane emits, version 1 of each. Data carries ids and the fields a consumer needs to
 * act without calling back; absent optional values are left out (events hold no nulls).
 */
final class DomainEvents {
    private DomainEvents() {}

    static Event userRegistered(User u) {
        return Event.of("user.registered", u.id(), data(
                "userId", u.id(), "email", u.email(), "displayName", u.displayName(), "role", u.role().wire(),
                "registeredAt", u.createdAt().toString()));
    }

    /** Builds an event data map from key/value pairs, skipping null values. */
    static Map<String, Object> data(Object... pairs) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] != null) {
                map.put((String) pairs[i], pairs[i + 1]);
            }
        }
        return map;
    }
}
