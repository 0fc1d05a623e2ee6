package dev.parley.control;

import static dev.parley.control.AuthApiTest.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/** Meetings, joining and participants over real HTTP, on H2 and on PostgreSQL. */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"h2", "postgres"})
class MeetingApiTest {
    static final String TRICKY = "'; DROP TABLE meetings; -- \"%_\\ <script>alert(1)</script> 😀 ñ 中文 ";

    @Parameter
    String backend;

    ApiFixture api;
    ApiFixture.Session host;

    @BeforeEach
    void setUp() {
        api = ApiFixture.shared(backend);
        host = api.register("host");
    }

    @Test
    void createReturnsTheMeetingWithARoomLinkAndEmitsAnEvent() {
        JsonNode m = api.meeting(host, Map.of("title", "Standup", "scheduledStart", "2030-01-02T10:00:00Z",
                "scheduledEnd", "2030-01-02T10:15:00+00:00", "settings", Map.of("maxParticipants", 12, "lobby", true)));
        String room = m.path("room").asText();
        assertTrue(room.matches("[a-z]{3}-[a-z]{4}-[a-z]{3}"), room);
        assertEquals("http://localhost:8080/meet/" + room, m.path("meetingUrl").asText());
        assertEquals("scheduled", m.path("status").asText());
        assertEquals(host.userId(), m.path("hostId").asText());
        assertEquals("2030-01-02T10:00:00Z", m.path("scheduledStart").asText());
        assertEquals(12, m.path("settings").path("maxParticipants").asInt());
        assertTrue(m.path("settings").path("guestsAllowed").asBoolean());
        assertTrue(m.path("settings").path("lobby").asBoolean());
        assertFalse(m.path("settings").path("passwordRequired").asBoolean());
        List<TableOutbox.Row> created = api.events("meeting.created", m.path("id").asText());
        assertEquals(1, created.size());
        assertEquals(room, created.get(0).data().path("room").asText());
        assertEquals(m, api.get("/api/v1/meetings/" + m.path("id").asText(), host.accessToken()).json());
        assertEquals(m, api.get("/api/v1/meetings/" + room, null).json(), "links resolve by room name");
    }

    @Test
    void onlyHostsAndAdminsCreateMeetings() {
        ApiFixture.Res made = api.post("/api/v1/users", Map.of("email", ApiFixture.uniqueEmail("p"), "password", "password-123",
                "displayName", "P", "role", "participant"), api.admin().accessToken());
        String email = made.json().path("email").asText();
        String token = api.post("/api/v1/auth/login", Map.of("email", email, "password", "password-123"), null).json().path("accessToken").asText();
        Map<String, Long> before = api.snapshot();
        assertProblem(api.post("/api/v1/meetings", Map.of("title", "x"), token), 403, "forbidden");
        assertProblem(api.post("/api/v1/meetings", Map.of("title", "x"), null), 401, "unauthorized");
        assertEquals(before, api.snapshot());
    }

    @Test
    void textFieldsAreStoredVerbatimAndLimited() {
        String longest = TRICKY + "😀".repeat(MeetingRules.TITLE_MAX - TRICKY.codePointCount(0, TRICKY.length()));
        JsonNode m = api.meeting(host, Map.of("title", longest, "settings", Map.of("password", TRICKY)));
        assertEquals(longest, m.path("title").asText());
        String id = m.path("id").asText();
        assertEquals(longest, api.get("/api/v1/meetings/" + id, host.accessToken()).json().path("title").asText());
        JsonNode patched = api.patch("/api/v1/meetings/" + id, Map.of("title", TRICKY), host.accessToken()).json();
        assertEquals(TRICKY, patched.path("title").asText());

        ApiFixture.Session guestless = api.register("g");
        ApiFixture.Res joined = api.post("/api/v1/meetings/" + id + "/join", Map.of("name", TRICKY, "password", TRICKY), guestless.accessToken());
        assertEquals(200, joined.status(), joined.text());
        assertEquals(TRICKY, joined.json().path("name").asText());

        Map<String, Long> before = api.snapshot();
        assertProblem(api.post("/api/v1/meetings", Map.of("title", "x".repeat(MeetingRules.TITLE_MAX + 1)), host.accessToken()), 400, "validation");
        assertProblem(api.post("/api/v1/meetings", Map.of("title", "a\u0000"), host.accessToken()), 400, "validation");
        assertProblem(api.post("/api/v1/meetings", Map.of("title", "   "), host.accessToken()), 400, "validation");
        assertProblem(api.patch("/api/v1/meetings/" + id, Map.of("title", "y".repeat(MeetingRules.TITLE_MAX + 1)), host.accessToken()), 400, "validation");
        assertEquals(before, api.snapshot());
        assertEquals(TRICKY, api.get("/api/v1/meetings/" + id, host.accessToken()).json().path("title").asText());
    }

    @Test
    void invalidMeetingBodiesListEveryErrorAndChangeNothing() {
        Map<String, Long> before = api.snapshot();
        ApiFixture.Res r = api.postRaw("/api/v1/meetings", """
                {"title": 7, "scheduledStart": "tomorrow", "scheduledEnd": 5,
                 "settings": {"maxParticipants": 0, "guestsAllowed": "yes", "lobby": null, "color": "red"}}""", host.accessToken());
        assertProblem(r, 400, "validation");
        List<String> fields = r.json().path("errors").findValuesAsText("field");
        assertTrue(fields.containsAll(List.of("title", "scheduledStart", "scheduledEnd", "settings.maxParticipants",
                "settings.guestsAllowed", "settings.color")), fields.toString());
        ApiFixture.Res window = api.post("/api/v1/meetings", Map.of("title", "t", "scheduledStart", "2030-01-02T10:00:00Z",
                "scheduledEnd", "2030-01-02T09:00:00Z"), host.accessToken());
        assertProblem(window, 400, "validation");
        assertEquals("scheduledEnd", window.json().path("errors").get(0).path("field").asText());
        assertProblem(api.postRaw("/api/v1/meetings", "{\"title\":\"t\",\"settings\":[]}", host.accessToken()), 400, "validation");
        assertProblem(api.postRaw("/api/v1/meetings", "{\"title\":\"t\",\"settings\":{\"maxParticipants\":1.5}}", host.accessToken()), 400, "validation");
        assertProblem(api.postRaw("/api/v1/meetings", "{\"title\":\"t\"", host.accessToken()), 400, "malformed-json");
        assertProblem(api.get("/api/v1/meetings?past=maybe", host.accessToken()), 400, "validation");
        assertEquals(before, api.snapshot());
    }

    @Test
    void hostsEditAndEndTheirMeetingsOthersMayNot() {
        JsonNode m = api.meeting(host, Map.of("title", "Plan"));
        String id = m.path("id").asText();
        ApiFixture.Session other = api.register("other");
        assertProblem(api.patch("/api/v1/meetings/" + id, Map.of("title", "Mine now"), other.accessToken()), 403, "forbidden");
        assertProblem(api.delete("/api/v1/meetings/" + id, other.accessToken()), 403, "forbidden");

        JsonNode patched = api.patch("/api/v1/meetings/" + id, Map.of("title", "Plan B", "settings",
                Map.of("password", "open sesame", "guestsAllowed", false)), host.accessToken()).json();
        assertEquals("Plan B", patched.path("title").asText());
        assertTrue(patched.path("settings").path("passwordRequired").asBoolean());
        assertFalse(patched.path("settings").path("guestsAllowed").asBoolean());
        List<TableOutbox.Row> updated = api.events("meeting.updated", id);
        assertEquals(1, updated.size());
        List<String> changed = new java.util.ArrayList<>();
        updated.get(0).data().path("changed").forEach(n -> changed.add(n.asText()));
        assertEquals(List.of("settings.guestsAllowed", "settings.password", "title"), sorted(changed));

        Map<String, Object> clear = new HashMap<>();
        clear.put("password", null);
        assertFalse(api.patch("/api/v1/meetings/" + id, Map.of("settings", clear), host.accessToken())
                .json().path("settings").path("passwordRequired").asBoolean());
        assertProblem(api.patch("/api/v1/meetings/" + id, Map.of("status", "live"), host.accessToken()), 400, "validation");

        assertEquals(204, api.delete("/api/v1/meetings/" + id, host.accessToken()).status());
        JsonNode ended = api.get("/api/v1/meetings/" + id, host.accessToken()).json();
        assertEquals("ended", ended.path("status").asText());
        assertFalse(ended.path("endedAt").isNull());
        assertEquals(204, api.delete("/api/v1/meetings/" + id, host.accessToken()).status(), "ending twice is harmless");
        assertEquals(1, api.events("meeting.ended", id).size());
        assertProblem(api.patch("/api/v1/meetings/" + id, Map.of("title", "again"), host.accessToken()), 409, "meeting-ended");
        assertProblem(api.post("/api/v1/meetings/" + id + "/join", Map.of("name", "late"), null), 409, "meeting-ended");
        assertProblem(api.delete("/api/v1/meetings/no-such-meeting", host.accessToken()), 404, "not-found");

        JsonNode explicit = api.meeting(host, Map.of("title", "Short"));
        JsonNode endedByPatch = api.patch("/api/v1/meetings/" + explicit.path("id").asText(), Map.of("status", "ended"), host.accessToken()).json();
        assertEquals("ended", endedByPatch.path("status").asText());
        assertEquals(1, api.events("meeting.ended", explicit.path("id").asText()).size());
    }

    @Test
    void listingShowsUpcomingOrPastMeetingsTheCallerHostsOrAttended() {
        JsonNode upcoming = api.meeting(host, Map.of("title", "Upcoming"));
        JsonNode done = api.meeting(host, Map.of("title", "Done"));
        api.delete("/api/v1/meetings/" + done.path("id").asText(), host.accessToken());
        List<String> current = ids(api.get("/api/v1/meetings?mine=true", host.accessToken()));
        List<String> past = ids(api.get("/api/v1/meetings?mine=true&past=true", host.accessToken()));
        assertEquals(List.of(upcoming.path("id").asText()), current);
        assertEquals(List.of(done.path("id").asText()), past);

        ApiFixture.Session guest = api.register("attendee");
        assertFalse(ids(api.get("/api/v1/meetings", guest.accessToken())).contains(upcoming.path("id").asText()));
        api.plane.participantJoined(upcoming.path("room").asText(), "p-" + guest.userId(), guest.userId(), "Attendee");
        try {
            assertTrue(ids(api.get("/api/v1/meetings", guest.accessToken())).contains(upcoming.path("id").asText()));
            assertTrue(ids(api.get("/api/v1/meetings?mine=true", guest.accessToken())).isEmpty());
            assertTrue(ids(api.get("/api/v1/meetings?limit=500", api.admin().accessToken())).contains(upcoming.path("id").asText()));
        } finally {
            api.plane.participantLeft(upcoming.path("room").asText(), "p-" + guest.userId());
        }
    }

    @Test
    void hostsJoinWithHostGrantsAndTurnCredentials() throws Exception {
        JsonNode m = api.meeting(host, Map.of("title", "Call", "settings", Map.of("password", "secret-word")));
        ApiFixture.Res r = api.post("/api/v1/meetings/" + m.path("id").asText() + "/join", null, host.accessToken());
        assertEquals(200, r.status(), r.text());
        JsonNode j = r.json();
        String room = m.path("room").asText();
        assertEquals(room, j.path("room").asText());
        assertEquals("ws://localhost:8080/ws/signaling", j.path("signalingUrl").asText());
        assertEquals("http://localhost:8080/meet/" + room, j.path("meetingUrl").asText());
        JoinGrant grant = api.plane.joinTokens().verify(j.path("token").asText(), room);
        assertEquals(host.userId(), grant.identity());
        assertEquals("Tester host", grant.name());
        assertTrue(grant.isHost() && grant.canRecord() && grant.canPublish() && grant.canSubscribe());
        assertEquals(api.clock.instant().plus(JoinTokens.DEFAULT_TTL), grant.expiresAt());

        JsonNode ice = j.path("iceServers");
        assertEquals("stun:127.0.0.1:3478", ice.get(0).path("urls").get(0).asText());
        JsonNode turn = ice.get(1);
        String username = turn.path("username").asText();
        assertEquals((api.clock.instant().getEpochSecond() + 3600) + ":" + host.userId(), username);
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA1");
        mac.init(new javax.crypto.spec.SecretKeySpec(ApiFixture.TURN_SECRET.getBytes(), "HmacSHA1"));
        assertEquals(java.util.Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes())), turn.path("credential").asText());
    }

    @Test
    void guestsJoinOpenMeetingsByLinkWithNameAndPassword() throws Exception {
        JsonNode m = api.meeting(host, Map.of("title", "Open", "settings", Map.of("password", "pässwörd 😀")));
        String room = m.path("room").asText();
        assertProblem(api.post("/api/v1/meetings/" + room + "/join", null, null), 400, "validation");
        assertProblem(api.post("/api/v1/meetings/" + room + "/join", Map.of("name", "Gus"), null), 403, "wrong-meeting-password");
        assertProblem(api.post("/api/v1/meetings/" + room + "/join", Map.of("name", "Gus", "password", "nope"), null), 403, "wrong-meeting-password");
        ApiFixture.Res ok = api.post("/api/v1/meetings/" + room + "/join", Map.of("name", "Gus", "password", "pässwörd 😀"), null);
        assertEquals(200, ok.status(), ok.text());
        JoinGrant grant = api.plane.joinTokens().verify(ok.json().path("token").asText(), room);
        assertTrue(grant.identity().startsWith("guest-"), grant.identity());
        assertEquals("Gus", grant.name());
        assertFalse(grant.isHost() || grant.canRecord());
        assertTrue(grant.canPublish() && grant.canSubscribe());

        JsonNode closed = api.meeting(host, Map.of("title", "Members", "settings", Map.of("guestsAllowed", false)));
        assertProblem(api.post("/api/v1/meetings/" + closed.path("id").asText() + "/join", Map.of("name", "Gus"), null), 403, "guests-not-allowed");
        assertProblem(api.post("/api/v1/meetings/nope-nope-nop/join", Map.of("name", "Gus"), null), 404, "not-found");
    }

    @Test
    void meetingPasswordGuessingIsThrottled() {
        JsonNode m = api.meeting(host, Map.of("title", "Guarded", "settings", Map.of("password", "right one")));
        String path = "/api/v1/meetings/" + m.path("id").asText() + "/join";
        try {
            for (int i = 0; i < MeetingRoutes.PASSWORD_ATTEMPTS; i++) {
                assertProblem(api.post(path, Map.of("name", "G", "password", "guess " + i), null), 403, "wrong-meeting-password");
            }
            ApiFixture.Res limited = api.post(path, Map.of("name", "G", "password", "right one"), null);
            assertProblem(limited, 429, "too-many-requests");
            assertTrue(limited.headers().firstValue("Retry-After").isPresent());
        } finally {
            api.clock.set(ApiFixture.START);
        }
    }

    @Test
    void fullMeetingsRefuseNewcomersButNotTheHost() {
        JsonNode m = api.meeting(host, Map.of("title", "Tiny", "settings", Map.of("maxParticipants", 1)));
        String room = m.path("room").asText();
        api.plane.participantJoined(room, "p1", "someone", "Someone");
        try {
            assertProblem(api.post("/api/v1/meetings/" + room + "/join", Map.of("name", "Late"), null), 409, "meeting-full");
            assertEquals(200, api.post("/api/v1/meetings/" + room + "/join", null, host.accessToken()).status());
        } finally {
            api.plane.participantLeft(room, "p1");
        }
    }

    @Test
    void presenceIsListedPersistedAndDrivesStatus() {
        JsonNode m = api.meeting(host, Map.of("title", "Presence"));
        String id = m.path("id").asText();
        String room = m.path("room").asText();
        api.plane.participantJoined(room, "pa", "guest-a", "Ann ' \"; --");
        api.clock.advance(java.time.Duration.ofSeconds(90));
        api.plane.participantJoined(room, "pb", host.userId(), "Host");
        try {
            assertEquals("live", api.get("/api/v1/meetings/" + id, host.accessToken()).json().path("status").asText());
            JsonNode live = api.get("/api/v1/meetings/" + id + "/participants", null).json();
            assertEquals(List.of("pa", "pb"), sorted(live.path("items").findValuesAsText("participantId")));
            api.plane.participantLeft(room, "pa");
            assertEquals("live", api.get("/api/v1/meetings/" + id, host.accessToken()).json().path("status").asText());
            api.plane.participantLeft(room, "pb");
            api.plane.participantLeft(room, "pb");
            assertEquals("scheduled", api.get("/api/v1/meetings/" + id, host.accessToken()).json().path("status").asText());

            JsonNode history = api.get("/api/v1/meetings/" + id + "/participants/history", host.accessToken()).json();
            assertEquals(2, history.path("items").size());
            JsonNode ann = history.path("items").get(0);
            assertEquals("Ann ' \"; --", ann.path("name").asText());
            assertEquals(ApiFixture.START, Instant.parse(ann.path("joinedAt").asText()));
            assertEquals(ApiFixture.START.plusSeconds(90), Instant.parse(ann.path("leftAt").asText()));
            assertProblem(api.get("/api/v1/meetings/" + id + "/participants/history", api.register("nosy").accessToken()), 403, "forbidden");

            List<TableOutbox.Row> joined = api.events("participant.joined", room);
            List<TableOutbox.Row> left = api.events("participant.left", room);
            assertEquals(2, joined.size());
            assertEquals(2, left.size(), "a repeated leave emits nothing");
            assertEquals(id, joined.get(0).data().path("meetingId").asText());
            assertEquals(90, left.get(0).data().path("durationSeconds").asLong());
            assertEquals(0, api.get("/api/v1/meetings/" + id + "/participants", null).json().path("items").size());
        } finally {
            api.clock.set(ApiFixture.START);
        }
    }

    @Test
    void roomsWithoutAMeetingStillRecordPresence() {
        long before = api.count("participant_sessions");
        api.plane.participantJoined("integrator-room-1", "px", "user-42", "Integrator user");
        api.plane.participantLeft("integrator-room-1", "px");
        assertEquals(before + 1, api.count("participant_sessions"));
        assertEquals(1, api.events("participant.left", "integrator-room-1").size());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> api.plane.participantJoined("", "p", "i", "n"));
    }

    private static List<String> ids(ApiFixture.Res r) {
        assertEquals(200, r.status(), r.text());
        return r.json().path("items").findValuesAsText("id");
    }

    private static List<String> sorted(List<String> values) {
        return values.stream().sorted().toList();
    }
}
