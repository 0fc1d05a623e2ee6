package dev.parley.control;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** SQL for transcript segments and emotion samples. Every method runs on the caller's handle. */
final class TranscriptStore {
    private TranscriptStore() {}

    /** A stored segment; times are milliseconds from the meeting's start. */
    record StoredSegment(String id, String participantId, String participantName, long startMs, long endMs,
                         String text, Double confidence, Instant createdAt) {}

    /** A stored emotion sample; times are milliseconds from the meeting's start. */
    record StoredEmotion(String id, String participantId, String participantName, long startMs, long endMs,
                         String label, double score, Map<String, Double> scores, Instant createdAt) {}

    /** When the meeting started: its first participant's join, if anyone has joined. */
    static Optional<Instant> meetingStart(Handle h, String meetingId) {
        return h.createQuery("SELECT MIN(joined_at) AS first FROM participant_sessions WHERE meeting_id = :m")
                .bind("m", meetingId).map((rs, ctx) -> Database.instant(rs, "first")).findOne();
    }

    static void insertSegment(Handle h, String id, String meetingId, CaptionResults.Segment s, long startMs, long endMs,
                              Instant now) {
        h.createUpdate("INSERT INTO transcript_segments (id, meeting_id, participant_id, participant_name, start_ms, "
                        + "end_ms, segment_text, confidence, created_at) "
                        + "VALUES (:id, :m, :p, :name, :start, :end, :text, :confidence, :at)")
                .bind("id", id).bind("m", meetingId).bind("p", s.participantId()).bind("name", s.participantName())
                .bind("start", startMs).bind("end", endMs).bind("text", s.text())
                .bindByType("confidence", s.confidence() < 0 ? null : s.confidence(), Double.class)
                .bind("at", Database.ts(now)).execute();
    }

    static void insertEmotion(Handle h, String id, String meetingId, CaptionResults.Emotion e, long startMs, long endMs,
                              Instant now) {
        h.createUpdate("INSERT INTO emotion_samples (id, meeting_id, participant_id, participant_name, start_ms, end_ms, "
                        + "label, score, scores, created_at) "
                        + "VALUES (:id, :m, :p, :name, :start, :end, :label, :score, :scores, :at)")
                .bind("id", id).bind("m", meetingId).bind("p", e.participantId()).bind("name", e.participantName())
                .bind("start", startMs).bind("end", endMs).bind("label", e.label()).bind("score", e.score())
                .bind("scores", new String(JsonCodec.write(e.scores()), java.nio.charset.StandardCharsets.UTF_8))
                .bind("at", Database.ts(now)).execute();
    }

    /** The meeting's segments in spoken order. */
    static List<StoredSegment> segments(Handle h, String meetingId) {
        return h.createQuery("SELECT * FROM transcript_segments WHERE meeting_id = :m ORDER BY start_ms, end_ms, created_at, id")
                .bind("m", meetingId)
                .map((rs, ctx) -> new StoredSegment(rs.getString("id"), rs.getString("participant_id"),
                        rs.getString("participant_name"), rs.getLong("start_ms"), rs.getLong("end_ms"),
                        rs.getString("segment_text"), (Double) rs.getObject("confidence", Double.class),
                        Database.instant(rs, "created_at")))
                .list();
    }

    /** The meeting's emotion samples in time order. */
    static List<StoredEmotion> emotions(Handle h, String meetingId) {
        return h.createQuery("SELECT * FROM emotion_samples WHERE meeting_id = :m ORDER BY start_ms, end_ms, created_at, id")
                .bind("m", meetingId)
                .map((rs, ctx) -> new StoredEmotion(rs.getString("id"), rs.getString("participant_id"),
                        rs.getString("participant_name"), rs.getLong("start_ms"), rs.getLong("end_ms"),
                        rs.getString("label"), rs.getDouble("score"), scores(rs.getString("scores")),
                        Database.instant(rs, "created_at")))
                .list();
    }

    private static Map<String, Double> scores(String json) {
        if (json == null) {
            return Map.of();
        }
        return JsonCodec.MAPPER.convertValue(JsonCodec.parse(json.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                new com.fasterxml.jackson.core.type.TypeReference<Map<String, Double>>() {});
    }
}
