package dev.parley.control;

import static dev.parley.control.AuthApiTest.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Captions in the control plane, on H2 and on PostgreSQL: results from the captioner are pushed live, stored
 * against the meeting's clock and published; the transcript reads back as JSON, WebVTT and SRT for the host; a
 * host turns captions on and off (by signaling or the meeting's setting), and without AI that is refused.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"h2", "postgres"})
class CaptionsApiTest {
    private static final Map<String, ApiFixture> FIXTURES = new ConcurrentHashMap<>();
    private static final Map<String, CaptionRooms> ROOMS = new ConcurrentHashMap<>();

    @Parameter
    String backend;

    ApiFixture api;
    CaptionRooms live;
    ApiFixture.Session host;
    String meetingId;
    String room;
    Instant start;

    @BeforeEach
    void setUp() {
        live = ROOMS.computeIfAbsent(backend, b -> new CaptionRooms());
        live.available = true;
        api = FIXTURES.computeIfAbsent(backend, b -> {
            try {
                ApiFixture f = ApiFixture.withAi(b, live, live, SpeechAnalysis.NONE);
                Runtime.getRuntime().addShutdownHook(new Thread(f::stop));
                return f;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        host = api.register("host");
        JsonNode m = api.meeting(host, Map.of("title", "Captioned"));
        meetingId = m.path("id").asText();
        room = m.path("room").asText();
        start = api.clock.instant();
    }

    private CaptionResults.Segment said(String name, long fromMs, long toMs, String text, boolean complete) {
        return new CaptionResults.Segment("p-" + name, name, start.plusMillis(fromMs), start.plusMillis(toMs), text, 0.93,
                complete);
    }

    private List<JsonNode> segments() {
        ApiFixture.Res r = api.get("/api/v1/meetings/" + meetingId + "/transcript", host.accessToken());
        assertEquals(200, r.status(), r.text());
        List<JsonNode> out = new java.util.ArrayList<>();
        r.json().path("segments").forEach(out::add);
        return out;
    }

    @Test
    void completeSegmentsAreStoredOnTheMeetingsClockPublishedAndPushed() {
        api.plane.participantJoined(room, "p-Ada", host.userId(), "Ada");
        api.clock.advance(Duration.ofSeconds(30));
        CaptionResults results = api.plane.captionResults();
        results.onTranscript(room, said("Ada", 2000, 2400, "Hel", false));
        results.onTranscript(room, said("Ada", 2000, 4250, "  Hello everyone.  ", true));
        results.onEmotion(room, new CaptionResults.Emotion("p-Ada", "Ada", start.plusMillis(2000), start.plusMillis(4250),
                "happy", 0.8, Map.of("happy", 0.8, "neutral", 0.2)));

        assertEquals(List.of("caption " + room + " Ada interim Hel", "caption " + room + " Ada final Hello everyone.",
                "emotion " + room + " Ada happy"), live.pushedTo(room));
        List<JsonNode> segments = segments();
        assertEquals(1, segments.size(), "interim guesses are shown, not kept: " + segments);
        JsonNode s = segments.get(0);
        assertEquals("Hello everyone.", s.path("text").asText());
        assertEquals("p-Ada", s.path("participantId").asText());
        assertEquals("Ada", s.path("participantName").asText());
        assertEquals(2000, s.path("startMs").asLong(), "milliseconds from the first join");
        assertEquals(4250, s.path("endMs").asLong());
        assertEquals(0.93, s.path("confidence").asDouble(), 1e-9);
        JsonNode emotions = api.get("/api/v1/meetings/" + meetingId + "/transcript", host.accessToken()).json().path("emotions");
        assertEquals(1, emotions.size());
        assertEquals("happy", emotions.get(0).path("label").asText());
        assertEquals(0.2, emotions.get(0).path("scores").path("neutral").asDouble(), 1e-9);

        List<TableOutbox.Row> transcript = api.events("ai.transcript", meetingId);
        assertEquals(1, transcript.size());
        assertEquals("Hello everyone.", transcript.get(0).data().path("text").asText());
        assertEquals(2000, transcript.get(0).data().path("startMs").asLong());
        assertEquals(room, transcript.get(0).data().path("room").asText());
        List<TableOutbox.Row> emotion = api.events("ai.emotion", meetingId);
        assertEquals(1, emotion.size());
        assertEquals("happy", emotion.get(0).data().path("label").asText());
    }

    @Test
    void theTranscriptComesAsWebVttOrSrtByQueryOrAcceptHeader() {
        api.plane.participantJoined(room, "p-Ada", host.userId(), "Ada");
        api.plane.captionResults().onTranscript(room, said("Ada", 1000, 2500, "Shall we start?", true));
        api.plane.captionResults().onTranscript(room, said("Bob", 3000, 3900, "Yes --> now", true));
        String path = "/api/v1/meetings/" + meetingId + "/transcript";

        ApiFixture.Res vtt = api.get(path + "?format=vtt", host.accessToken());
        assertEquals(200, vtt.status(), vtt.text());
        assertTrue(vtt.contentType().startsWith("text/vtt"), vtt.contentType());
        assertEquals("WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.500\n<v Ada>Shall we start?</v>\n\n"
                + "2\n00:00:03.000 --> 00:00:03.900\n<v Bob>Yes --&gt; now</v>\n", vtt.text());
        assertEquals(vtt.text(), accept(path, "text/vtt").text());

        ApiFixture.Res srt = api.get(path + "?format=srt", host.accessToken());
        assertTrue(srt.contentType().startsWith("application/x-subrip"), srt.contentType());
        assertEquals("1\n00:00:01,000 --> 00:00:02,500\nAda: Shall we start?\n\n"
                + "2\n00:00:03,000 --> 00:00:03,900\nBob: Yes -- > now\n", srt.text());
        assertEquals(srt.text(), accept(path, "application/x-subrip").text());
        assertTrue(accept(path, "application/json").contentType().startsWith("application/json"));
        assertTrue(accept(path + "?format=json", "text/vtt").contentType().startsWith("application/json"),
                "the query wins over the Accept header");
        assertProblem(api.get(path + "?format=docx", host.accessToken()), 400, "validation");
    }

    private ApiFixture.Res accept(String path, String type) {
        return api.exchange(HttpRequest.newBuilder(api.uri(path)).header("Accept", type)
                .header("Authorization", "Bearer " + host.accessToken()).GET().build());
    }

    @Test
    void onlyTheMeetingsHostOrAnAdministratorReadsTheTranscript() {
        String path = "/api/v1/meetings/" + meetingId + "/transcript";
        assertProblem(api.get(path, null), 401, "unauthorized");
        assertProblem(api.get(path, api.register("other").accessToken()), 403, "forbidden");
        assertEquals(200, api.get(path, api.admin().accessToken()).status());
        assertEquals(200, api.get("/api/v1/meetings/" + room + "/transcript", host.accessToken()).status(),
                "the room name finds the meeting too");
        assertProblem(api.get("/api/v1/meetings/no-such-meeting/transcript", host.accessToken()), 404, "not-found");
    }

    @Test
    void aHostTurnsCaptionsOnAndOffAndTheMeetingKeepsTheSetting() throws Exception {
        api.plane.setCaptions(room, host.userId(), true);
        assertTrue(live.captioned.contains(room));
        assertTrue(api.plane.captionsWanted(room));
        assertTrue(api.get("/api/v1/meetings/" + meetingId, host.accessToken()).json().path("settings").path("captions").asBoolean());
        List<TableOutbox.Row> updated = api.events("meeting.updated", meetingId);
        assertEquals(1, updated.size());
        assertEquals("settings.captions", updated.get(0).data().path("changed").get(0).asText());

        api.plane.setCaptions(room, host.userId(), true);
        assertEquals(1, api.events("meeting.updated", meetingId).size(), "turning on what is on changes no setting");

        api.plane.setCaptions(room, host.userId(), false);
        assertFalse(live.captioned.contains(room));
        assertFalse(api.plane.captionsWanted(room));
        assertEquals(List.of("status " + room + " active", "status " + room + " active", "status " + room + " off"),
                live.pushedTo(room));
    }

    @Test
    void captionsAreRefusedWithoutAiAndInAnEndedMeeting() throws Exception {
        live.available = false;
        CaptionsRefused off = assertThrows(CaptionsRefused.class, () -> api.plane.setCaptions(room, host.userId(), true));
        assertEquals("captions_unavailable", off.code());
        assertFalse(api.plane.captionsWanted(room));
        assertTrue(api.events("meeting.updated", meetingId).isEmpty(), "nothing changed");
        assertFalse(live.captioned.contains(room));
        assertProblem(api.patch("/api/v1/meetings/" + meetingId, Map.of("settings", Map.of("captions", true)),
                host.accessToken()), 400, "validation");
        assertProblem(api.post("/api/v1/meetings", Map.of("title", "t", "settings", Map.of("captions", true)),
                host.accessToken()), 400, "validation");

        live.available = true;
        api.plane.setCaptions(room, host.userId(), true);
        assertTrue(live.captioned.contains(room));
        assertEquals(204, api.delete("/api/v1/meetings/" + meetingId, host.accessToken()).status());
        assertFalse(live.captioned.contains(room), "the end of the meeting stops its captions");
        CaptionsRefused ended = assertThrows(CaptionsRefused.class, () -> api.plane.setCaptions(room, host.userId(), true));
        assertEquals("meeting_ended", ended.code());
        assertFalse(live.captioned.contains(room));
    }

    @Test
    void theMeetingSettingStartsAndStopsCaptionsOfALiveMeeting() {
        JsonNode made = api.meeting(host, Map.of("title", "Set up front", "settings", Map.of("captions", true)));
        assertTrue(made.path("settings").path("captions").asBoolean());
        assertTrue(api.plane.captionsWanted(made.path("room").asText()), "the server starts captions when the room opens");
        assertFalse(live.captioned.contains(made.path("room").asText()), "not before anyone is there");

        api.plane.participantJoined(room, "p-Ada", host.userId(), "Ada");
        ApiFixture.Res on = api.patch("/api/v1/meetings/" + meetingId, Map.of("settings", Map.of("captions", true)),
                host.accessToken());
        assertEquals(200, on.status(), on.text());
        assertTrue(live.captioned.contains(room));
        api.patch("/api/v1/meetings/" + meetingId, Map.of("settings", Map.of("captions", false)), host.accessToken());
        assertFalse(live.captioned.contains(room));
        assertEquals(List.of("status " + room + " active", "status " + room + " off"), live.pushedTo(room));
    }

    @Test
    void resultsOfARoomWithoutAMeetingAreShownAndPublishedButNotStored() {
        String integratorRoom = "integrator-" + System.nanoTime();
        long before = api.count("transcript_segments");
        api.plane.captionResults().onTranscript(integratorRoom, new CaptionResults.Segment("px", "Pat", start,
                start.plusSeconds(1), "No meeting here.", -1, true));
        api.plane.captionResults().onStatus(integratorRoom, CaptionResults.Status.PAUSED);
        assertEquals(before, api.count("transcript_segments"));
        assertEquals(List.of("caption " + integratorRoom + " Pat final No meeting here.", "status " + integratorRoom + " paused"),
                live.pushedTo(integratorRoom));
        List<TableOutbox.Row> events = api.events("ai.transcript", integratorRoom);
        assertEquals(1, events.size());
        assertFalse(events.get(0).data().has("meetingId"));
        assertFalse(events.get(0).data().has("confidence"), "no confidence given, none published");
    }

    @Test
    void segmentsAreCheckedWhenMade() {
        assertThrows(IllegalArgumentException.class, () -> new CaptionResults.Segment("p", "P", start.plusSeconds(1),
                start, "backwards", 1, true));
        assertThrows(NullPointerException.class, () -> new CaptionResults.Segment("p", "P", start, start, null, 1, true));
        assertEquals("p", new CaptionResults.Segment("p", " ", start, start, "x", 1, true).participantName(),
                "a blank name shows the participant id");
        assertEquals(CaptionResults.MAX_TEXT, new CaptionResults.Segment("p", "P", start, start, "y".repeat(5000), 1, true)
                .text().length());
    }
}
