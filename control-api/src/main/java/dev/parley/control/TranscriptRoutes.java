package dev.parley.control;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/**
 * {@code GET /meetings/{id}/transcript}: what was said in a meeting, for its host or an administrator (as for its
 * recordings), as JSON (segments and emotion samples), WebVTT or SRT, chosen by {@code ?format=} or else by the
 * Accept header.
 */
final class TranscriptRoutes {
    static final String VTT = "text/vtt";
    static final String SRT = "application/x-subrip";

    private final Jdbi jdbi;
    private final Authenticator auth;

    TranscriptRoutes(Jdbi jdbi, Authenticator auth) {
        this.jdbi = jdbi;
        this.auth = auth;
    }

    void register(Router router) {
        router.add("GET", "/api/v1/meetings/{id}/transcript", this::transcript);
    }

    private ApiResponse transcript(ApiRequest req) {
        Authenticator.Caller caller = auth.require(req);
        String format = format(req);
        String key = req.pathParam("id");
        return jdbi.withHandle(h -> {
            Meeting m = MeetingStore.byIdOrRoom(h, key)
                    .orElseThrow(() -> ApiProblem.notFound("meeting " + TextRules.printable(key)));
            if (!caller.isAdmin() && !caller.id().equals(m.hostId())) {
                throw ApiProblem.forbidden("only the meeting's host or an administrator may read its transcript");
            }
            List<TranscriptStore.StoredSegment> segments = TranscriptStore.segments(h, m.id());
            String file = "transcript-" + m.room();
            return switch (format) {
                case "vtt" -> new ApiResponse(200, new ApiHandler.TextBody(WebVttWriter.write(segments), VTT + "; charset=utf-8"),
                        Map.of("Content-Disposition", "inline; filename=\"" + file + ".vtt\""));
                case "srt" -> new ApiResponse(200, new ApiHandler.TextBody(SrtWriter.write(segments), SRT + "; charset=utf-8"),
                        Map.of("Content-Disposition", "inline; filename=\"" + file + ".srt\""));
                default -> ApiResponse.ok(json(m, segments, TranscriptStore.emotions(h, m.id())));
            };
        });
    }

    /** {@code json}, {@code vtt} or {@code srt}: the query's {@code format} wins, then the Accept header, then JSON. */
    static String format(ApiRequest req) {
        String format = req.queryParam("format");
        if (format != null) {
            format = format.toLowerCase(Locale.ROOT);
            if (!List.of("json", "vtt", "srt").contains(format)) {
                throw ApiProblem.invalid("format", "must be json, vtt or srt");
            }
            return format;
        }
        String accept = req.accept() == null ? "" : req.accept().toLowerCase(Locale.ROOT);
        if (accept.contains(VTT)) {
            return "vtt";
        }
        if (accept.contains(SRT)) {
            return "srt";
        }
        return "json";
    }

    private static Map<String, Object> json(Meeting m, List<TranscriptStore.StoredSegment> segments,
                                            List<TranscriptStore.StoredEmotion> emotions) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("meetingId", m.id());
        v.put("room", m.room());
        v.put("title", m.title());
        v.put("segments", segments.stream().map(s -> {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("id", s.id());
            o.put("participantId", s.participantId());
            o.put("participantName", s.participantName());
            o.put("startMs", s.startMs());
            o.put("endMs", s.endMs());
            o.put("text", s.text());
            o.put("confidence", s.confidence());
            o.put("createdAt", s.createdAt());
            return o;
        }).toList());
        v.put("emotions", emotions.stream().map(e -> {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("id", e.id());
            o.put("participantId", e.participantId());
            o.put("participantName", e.participantName());
            o.put("startMs", e.startMs());
            o.put("endMs", e.endMs());
            o.put("label", e.label());
            o.put("score", e.score());
            o.put("scores", e.scores());
            o.put("createdAt", e.createdAt());
            return o;
        }).toList());
        return v;
    }
}
