package dev.parley.control;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** A meeting as stored. The password is kept only as an Argon2id hash; clients see {@code passwordRequired}. */
record Meeting(String id, String room, String title, String hostId, Instant scheduledStart, Instant scheduledEnd,
               Settings settings, Status status, Instant createdAt, Instant updatedAt, Instant endedAt) {

    record Settings(boolean guestsAllowed, String passwordHash, boolean lobby, boolean recordingAllowed, int maxParticipants,
                    boolean captions) {
        Settings withCaptions(boolean on) {
            return new Settings(guestsAllowed, passwordHash, lobby, recordingAllowed, maxParticipants, on);
        }
    }

    enum Status {
        SCHEDULED, LIVE, ENDED;

        String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        static Status parse(String text) {
            return valueOf(text.toUpperCase(java.util.Locale.ROOT));
        }
    }

    Meeting with(Settings s) {
        return new Meeting(id, room, title, hostId, scheduledStart, scheduledEnd, s, status, createdAt, updatedAt, endedAt);
    }

    Meeting withStatus(Status s, Instant now) {
        return new Meeting(id, room, title, hostId, scheduledStart, scheduledEnd, settings, s, createdAt, now,
                s == Status.ENDED ? now : endedAt);
    }

    Map<String, Object> view(String publicUrl) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("guestsAllowed", settings.guestsAllowed());
        s.put("passwordRequired", settings.passwordHash() != null);
        s.put("lobby", settings.lobby());
        s.put("recordingAllowed", settings.recordingAllowed());
        s.put("maxParticipants", settings.maxParticipants());
        s.put("captions", settings.captions());
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", id);
        v.put("room", room);
        v.put("title", title);
        v.put("hostId", hostId);
        v.put("scheduledStart", scheduledStart);
        v.put("scheduledEnd", scheduledEnd);
        v.put("status", status.wire());
        v.put("settings", s);
        v.put("meetingUrl", publicUrl + "/meet/" + room);
        v.put("createdAt", createdAt);
        v.put("updatedAt", updatedAt);
        v.put("endedAt", endedAt);
        return v;
    }
}
