package dev.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * WHIP and WHEP over plain HTTP against a running server: the session lifecycle (201 with answer, Location,
 * ETag and Accept-Patch; PATCH; DELETE), the participant a WHIP session makes, and each refusal as problem+json.
 */
class WhipWhepHttpTest {
    @RegisterExtension
    static final RunningServer server = RunningServer.perClass();
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> send(String method, String path, String contentType, String body, String... headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.base + path)).timeout(Duration.ofSeconds(15))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode problem(HttpResponse<String> r, int status) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals("application/problem+json", r.headers().firstValue("content-type").orElse(""));
        JsonNode p = RunningServer.JSON.readTree(r.body());
        assertEquals(status, p.get("status").asInt());
        assertTrue(p.get("type").asText().startsWith("https://parley.dev/problems/"), r.body());
        assertTrue(!p.get("detail").asText().isBlank(), r.body());
        return p;
    }

    @Test
    void aWhipSessionIsAParticipantUntilDeleted() throws Exception {
        RunningServer.Signaling watcher = server.signaling();
        watcher.send("{\"type\":\"join\",\"room\":\"ingest\",\"name\":\"Watcher\"}");
        watcher.next("joined");

        HttpResponse<String> created = send("POST", "/whip/ingest", "application/sdp", ScriptedSdp.publishOffer(1, 4000));
        assertEquals(201, created.statusCode(), created.body());
        assertEquals("application/sdp", created.headers().firstValue("content-type").orElse(""));
        assertTrue(created.body().contains("a=setup:passive") && created.body().contains("a=recvonly"), created.body());
        String location = created.headers().firstValue("location").orElseThrow();
        String etag = created.headers().firstValue("etag").orElseThrow();
        assertTrue(location.startsWith("/whip/ingest/"), location);
        assertEquals("application/trickle-ice-sdpfrag", created.headers().firstValue("accept-patch").orElse(""));
        assertTrue(created.headers().firstValue("access-control-expose-headers").orElse("").contains("Location"));

        JsonNode joined = watcher.next("participantJoined");
        String participantId = joined.get("participant").get("id").asText();
        assertEquals("WHIP ingest", joined.get("participant").get("name").asText());

        String trickle = "a=ice-ufrag:bot\r\na=ice-pwd:botpassword0123456789012\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\n"
                + "a=candidate:1 1 udp 2130706431 127.0.0.1 5000 typ host\r\na=end-of-candidates\r\n";
        assertEquals(204, send("PATCH", location, "application/trickle-ice-sdpfrag", trickle, "If-Match", etag).statusCode());
        problem(send("PATCH", location, "application/trickle-ice-sdpfrag", trickle, "If-Match", "\"stale\""), 412);
        String restart = "a=ice-ufrag:newu\r\na=ice-pwd:newpassword0123456789012\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\n";
        problem(send("PATCH", location, "application/trickle-ice-sdpfrag", restart, "If-Match", etag), 422);
        problem(send("PATCH", location, "application/trickle-ice-sdpfrag", "a=candidate:broken", "If-Match", etag), 400);
        problem(send("PATCH", location, "application/json", "{}", "If-Match", etag), 415);
        assertTrue(server.metrics().contains("parley_whip_sessions 1"), "one WHIP session in /metrics");

        assertEquals(200, send("DELETE", location, null, null).statusCode());
        JsonNode left = watcher.next("participantLeft");
        assertEquals(participantId, left.get("participantId").asText());
        problem(send("DELETE", location, null, null), 404);
        problem(send("PATCH", location, "application/trickle-ice-sdpfrag", trickle), 404);
        watcher.close();
    }

    @Test
    void refusalsAreProblems() throws Exception {
        JsonNode bad = problem(send("POST", "/whip/anyroom", "application/sdp", ScriptedSdp.publishOffer(1, 5000),
                "Authorization", "Bearer not-a-token"), 401);
        assertNotNull(bad.get("title"));
        problem(send("POST", "/whip/anyroom", "application/sdp", "this is not SDP"), 400);
        problem(send("POST", "/whip/anyroom", "application/sdp", "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"), 400);
        problem(send("POST", "/whip/anyroom", "text/plain", ScriptedSdp.publishOffer(1, 5000)), 415);
        problem(send("POST", "/whep/anyroom", "application/sdp", "garbage"), 400);
        problem(send("DELETE", "/whip/anyroom/nosuchsession", null, null), 404);
        problem(send("DELETE", "/whep/anyroom/nosuchsession", null, null), 404);
        problem(send("PATCH", "/whep/anyroom/nosuchsession", "application/trickle-ice-sdpfrag", "a=end-of-candidates"), 404);
        problem(send("GET", "/whip/anyroom", null, null), 405);
    }

    @Test
    void meetingRulesApply() throws Exception {
        String host = Meetings.register(server, "whip-host@example.org");
        // A full meeting refuses a WHIP session with meeting-full; it counts like any participant.
        JsonNode small = Meetings.meeting(server, host, "{\"maxParticipants\":1}");
        String smallRoom = small.get("room").asText();
        String whipToken = Meetings.guestToken(server, small, "Studio", null);
        HttpResponse<String> first = send("POST", "/whip/" + smallRoom, "application/sdp", ScriptedSdp.publishOffer(1, 7000),
                "Authorization", "Bearer " + whipToken);
        assertEquals(201, first.statusCode(), first.body());
        RunningServer.Signaling guest = server.signaling();
        guest.join(smallRoom, "Guest", null);
        guest.error("meeting_full");
        assertEquals("https://parley.dev/problems/meeting-full", problem(send("POST", "/whip/" + smallRoom, "application/sdp",
                ScriptedSdp.publishOffer(1, 7100)), 409).get("type").asText());

        // Ending the meeting ends the WHIP session (its URL is gone) and refuses new ones with meeting-ended.
        assertEquals(204, server.delete("/api/v1/meetings/" + small.get("id").asText(), host).status());
        String location = first.headers().firstValue("location").orElseThrow();
        dev.parley.testkit.Eventually.await(Duration.ofSeconds(10), "the ended meeting's WHIP session is gone",
                () -> { try { return send("PATCH", location, "application/trickle-ice-sdpfrag", "a=end-of-candidates\r\n").statusCode() == 404; } catch (Exception e) { throw new IllegalStateException(e); } });
        assertEquals("https://parley.dev/problems/meeting-ended", problem(send("POST", "/whip/" + smallRoom, "application/sdp",
                ScriptedSdp.publishOffer(1, 7200), "Authorization", "Bearer " + whipToken), 409).get("type").asText());

        // A meeting with a lobby: WHIP cannot wait in it, so a guest's token is refused and a host's goes in.
        JsonNode lobby = Meetings.meeting(server, host, "{\"lobby\":true}");
        String lobbyRoom = lobby.get("room").asText();
        problem(send("POST", "/whip/" + lobbyRoom, "application/sdp", ScriptedSdp.publishOffer(1, 7300),
                "Authorization", "Bearer " + Meetings.guestToken(server, lobby, "Studio", null)), 403);
        String hostToken = server.post("/api/v1/meetings/" + lobby.get("id").asText() + "/join", host, "{}").body().get("token").asText();
        HttpResponse<String> hosted = send("POST", "/whip/" + lobbyRoom, "application/sdp", ScriptedSdp.publishOffer(1, 7400),
                "Authorization", "Bearer " + hostToken);
        assertEquals(201, hosted.statusCode(), hosted.body());
        assertEquals(200, send("DELETE", hosted.headers().firstValue("location").orElseThrow(), null, null).statusCode());
        guest.close();
    }

    @Test
    void preflightAllowsBrowsersToReadTheSessionHeaders() throws Exception {
        HttpResponse<String> r = send("OPTIONS", "/whip/anyroom", null, null, "Origin", "https://studio.example",
                "Access-Control-Request-Method", "POST");
        assertEquals(204, r.statusCode());
        assertEquals("*", r.headers().firstValue("access-control-allow-origin").orElse(""));
        assertTrue(r.headers().firstValue("access-control-allow-headers").orElse("").contains("Authorization"));
        assertEquals("application/sdp", r.headers().firstValue("accept-post").orElse(""));
    }

    @Test
    void aWhepViewerIsAnsweredAndCountedButNotAParticipant() throws Exception {
        String offer = ScriptedSdp.publishOffer(1, 6000).replace("a=sendonly", "a=recvonly");
        HttpResponse<String> created = send("POST", "/whep/stage", "application/sdp", offer);
        assertEquals(201, created.statusCode(), created.body());
        assertTrue(created.body().contains("a=sendonly") && created.body().contains("a=ssrc:"), created.body());
        String location = created.headers().firstValue("location").orElseThrow();
        assertTrue(server.metrics().contains("parley_whep_viewers 1"), "one viewer in /metrics");
        assertTrue(server.metrics().contains("parley_participants 0"), "a viewer is no participant");
        assertEquals(200, send("DELETE", location, null, null).statusCode());
        assertTrue(server.metrics().contains("parley_whep_viewers 0"));
    }
}
