package dev.parley.control;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** An account as stored. {@code passwordHash} never leaves the server: {@link #view()} is what clients see. */
record User(String id, String email, String displayName, String passwordHash, Role role, boolean disabled,
            Instant createdAt, Instant updatedAt) {

    Map<String, Object> view() {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", id);
        v.put("email", email);
        v.put("displayName", displayName);
        v.put("role", role.wire());
        v.put("disabled", disabled);
        v.put("createdAt", createdAt);
        v.put("updatedAt", updatedAt);
        return v;
    }
}
