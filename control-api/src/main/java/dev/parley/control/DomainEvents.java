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

    static Event meetingCreated(Meeting m) {
        return Event.of("meeting.created", m.id(), meetingData(m));
    }

    static Event meetingUpdated(Meeting m, java.util.List<String> changed) {
        Map<String, Object> data = meetingData(m);
        data.put("changed", java.util.List.copyOf(changed));
        return Event.of("meeting.updated", m.id(), data);
    }

    static Event meetingEnded(Meeting m) {
        return Event.of("meeting.ended", m.id(), meetingData(m));
    }

    static Event participantJoined(String room, String meetingId, String participantId, String identity, String name,
                                   java.time.Instant at) {
        return Event.of("participant.joined", room, data("room", room, "meetingId", meetingId, "participantId", participantId,
                "identity", identity, "name", name, "joinedAt", at.toString()));
    }

    static Event participantLeft(String room, String meetingId, String participantId, String identity,
                                 java.time.Instant joinedAt, java.time.Instant leftAt) {
        return Event.of("participant.left", room, data("room", room, "meetingId", meetingId, "participantId", participantId,
                "identity", identity, "joinedAt", joinedAt.toString(), "leftAt", leftAt.toString(),
                "durationSeconds", java.time.Duration.between(joinedAt, leftAt).toSeconds()));
    }

    /** Someone entered a meeting's lobby ({@code participant.waiting}). */
    static Event participantWaiting(String room, String meetingId, String waitingId, String identity, String name,
                                    java.time.Instant at) {
        return Event.of("participant.waiting", room, data("room", room, "meetingId", meetingId, "waitingId", waitingId,
                "identity", identity, "name", name, "waitingSince", at.toString()));
    }

    /** A host decided about someone in the lobby: {@code participant.admitted} or {@code participant.refused}. */
    static Event lobbyDecision(boolean admitted, String room, String meetingId, String waitingId, String identity,
                               String by, java.time.Instant at) {
        String what = admitted ? "admitted" : "refused";
        return Event.of("participant." + what, room, data("room", room, "meetingId", meetingId, "waitingId", waitingId,
                "identity", identity, what + "By", by, what + "At", at.toString()));
    }

    static Event participantRemoved(String room, String meetingId, String participantId, String identity, String reason,
                                    String by, java.time.Instant at) {
        return Event.of("participant.removed", room, data("room", room, "meetingId", meetingId,
                "participantId", participantId, "identity", identity, "reason", reason, "removedBy", by,
                "removedAt", at.toString()));
    }

    /** {@code recording.started|stopped|completed|failed}, keyed by the meeting so a consumer sees them in order. */
    static Event recording(String type, RecordingRoutes.Row r) {
        return Event.of(type, r.meetingId(), data("recordingId", r.id(), "meetingId", r.meetingId(), "room", r.room(),
                "status", r.status(), "startedBy", r.startedBy(), "startedAt", r.startedAt().toString(),
                "stoppedAt", r.stoppedAt() == null ? null : r.stoppedAt().toString(),
                "durationSeconds", r.durationMs() == null ? null : r.durationMs() / 1000.0,
                "bytes", r.bytes(), "truncated", r.truncated(), "failureReason", r.failureReason()));
    }

    /**
     * {@code ai.transcript}: a complete segment of what a participant said, keyed by the meeting (or the room when it
     * has none) so that a consumer sees a meeting's segments in order. {@code at} holds start and end in
     * milliseconds from the meeting's start, null without a meeting.
     */
    static Event aiTranscript(String room, String meetingId, CaptionResults.Segment s, long[] at) {
        return Event.of("ai.transcript", meetingId == null ? room : meetingId, data("room", room, "meetingId", meetingId,
                "participantId", s.participantId(), "participantName", s.participantName(),
                "startedAt", s.start().toString(), "endedAt", s.end().toString(),
                "startMs", at == null ? null : at[0], "endMs", at == null ? null : at[1], "text", s.text(),
                "confidence", s.confidence() < 0 ? null : s.confidence()));
    }

    /** {@code ai.emotion}: the emotion heard in a participant's speech, keyed as {@link #aiTranscript}. */
    static Event aiEmotion(String room, String meetingId, CaptionResults.Emotion e, long[] at) {
        return Event.of("ai.emotion", meetingId == null ? room : meetingId, data("room", room, "meetingId", meetingId,
                "participantId", e.participantId(), "participantName", e.participantName(),
                "startedAt", e.start().toString(), "endedAt", e.end().toString(),
                "startMs", at == null ? null : at[0], "endMs", at == null ? null : at[1], "label", e.label(),
                "score", e.score(), "scores", e.scores()));
    }

    private static Map<String, Object> meetingData(Meeting m) {
        return data("meetingId", m.id(), "room", m.room(), "title", m.title(), "hostId", m.hostId(),
                "status", m.status().wire(),
                "scheduledStart", m.scheduledStart() == null ? null : m.scheduledStart().toString(),
                "scheduledEnd", m.scheduledEnd() == null ? null : m.scheduledEnd().toString(),
                "endedAt", m.endedAt() == null ? null : m.endedAt().toString());
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
