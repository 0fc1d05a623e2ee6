package dev.parley.server;

import static dev.parley.server.Meetings.meeting;
import static dev.parley.server.Meetings.register;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.control.JoinGrant;
import dev.parley.control.JoinTokens;
import dev.parley.testkit.PostgresSchema;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An integrator's join token with a {@code canRecord} grant starts and stops a meeting's recording, by REST and
 * over signaling, on a running server with PostgreSQL; tokens without the grant, for another room, expired or
 * forged are refused and change nothing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RecordingByJoinTokenTest {
    /** Longer than an account id, as an integrator's user ids may be. */
    private static final String RECORDER = "crm-user-" + "7".repeat(60);

    @TempDir
    Path dir;

    /** An API key's id and secret, issued by the administrator. */
    private record ApiKey(String id, String secret) {
        String token(String room, String identity, boolean canRecord, boolean isHost, Instant expires) {
            return JoinTokens.sign(new JoinGrant(room, identity, identity, true, true, canRecord, isHost, expires),
                    id, secret);
        }

        String token(String room, String identity, boolean canRecord) {
            return token(room, identity, canRecord, false, Instant.now().plusSeconds(600));
        }
    }

    private static ApiKey apiKey(RunningServer s, String admin) throws Exception {
        RunningServer.Reply key = s.post("/api/v1/api-keys", admin, "{\"name\":\"crm\"}");
        assertEquals(201, key.status(), String.valueOf(key.body()));
        return new ApiKey(key.body().get("id").asText(), key.body().get("secret").asText());
    }

    private static void assertProblem(RunningServer.Reply r, int status, String type) {
        assertEquals(status, r.status(), String.valueOf(r.body()));
        assertEquals("https://parley.dev/problems/" + type, r.body().get("type").asText(), String.valueOf(r.body()));
    }

    private static int recordingsOf(RunningServer s, String meetingId, String access) throws Exception {
        RunningServer.Reply r = s.get("/api/v1/meetings/" + meetingId + "/recordings", access);
        assertEquals(200, r.status(), String.valueOf(r.body()));
        return r.body().get("items").size();
    }

    private static String startedBy(PostgresSchema db, String recording) throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT started_by FROM recordings WHERE id = '" + recording + "'")) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static String startedByInEvent(PostgresSchema db, String recording) throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT payload FROM event_outbox WHERE type = 'recording.started'")) {
            while (rs.next()) {
                JsonNode event = RunningServer.JSON.readTree(rs.getString(1));
                if (event.toString().contains(recording)) {
                    return event.findValue("startedBy").asText();
                }
            }
            return null;
        }
    }

    @Test
    void aTokenWithTheGrantStartsAndStopsByRestAndOthersAreRefused() throws Exception {
        try (PostgresSchema db = PostgresSchema.create(); RunningServer s = new RunningServer(dir, db.serverArgs())) {
            String admin = register(s, "admin@example.org");
            String host = register(s, "host@example.org");
            ApiKey key = apiKey(s, admin);
            JsonNode meeting = meeting(s, host, "{}");
            String id = meeting.get("id").asText();
            String room = meeting.get("room").asText();
            String start = "/api/v1/meetings/" + id + "/recordings";
            String other = meeting(s, host, "{}").get("room").asText();

            String noGrant = key.token(room, "viewer-1", false);
            assertProblem(s.post(start, noGrant, "{}"), 403, "forbidden");
            assertProblem(s.post(start, key.token(other, RECORDER, true), "{}"), 403, "forbidden");
            assertProblem(s.post(start, key.token(room, RECORDER, true, false, Instant.now().minusSeconds(120)), "{}"),
                    401, "invalid-token");
            String granted = key.token(room, RECORDER, true);
            String forged = granted.substring(0, granted.lastIndexOf('.') + 1) + "AAAA" + granted.substring(
                    granted.lastIndexOf('.') + 5);
            assertProblem(s.post(start, forged, "{}"), 401, "invalid-token");
            assertEquals(0, recordingsOf(s, id, host), "every refused start left nothing");

            RunningServer.Reply started = s.post(start, granted, "{}");
            assertEquals(201, started.status(), String.valueOf(started.body()));
            String rec = started.body().get("id").asText();
            assertEquals("recording", started.body().get("status").asText());
            assertEquals(RECORDER, startedBy(db, rec), "the row says who started it");
            assertEquals(RECORDER, startedByInEvent(db, rec), "and so does recording.started");
            assertProblem(s.post(start, granted, "{}"), 409, "recording-in-progress");

            String stop = "/api/v1/recordings/" + rec + "/stop";
            assertProblem(s.post(stop, noGrant, "{}"), 403, "forbidden");
            assertProblem(s.post(stop, key.token(other, RECORDER, true), "{}"), 403, "forbidden");
            RunningServer.Reply stopped = s.post(stop, key.token(room, "host-by-token", false, true,
                    Instant.now().plusSeconds(600)), "{}");
            assertEquals(200, stopped.status(), "an isHost grant may stop it too: " + stopped.body());
            assertEquals("stopped", stopped.body().get("status").asText());

            assertEquals(204, s.delete("/api/v1/meetings/" + id, host).status());
            assertProblem(s.post(start, granted, "{}"), 409, "meeting-ended");
            assertEquals(1, recordingsOf(s, id, host));
        }
    }

    @Test
    void aParticipantWithTheGrantStartsAndStopsOverSignaling() throws Exception {
        try (PostgresSchema db = PostgresSchema.create(); RunningServer s = new RunningServer(dir, db.serverArgs())) {
            String admin = register(s, "admin@example.org");
            String host = register(s, "host@example.org");
            ApiKey key = apiKey(s, admin);
            JsonNode meeting = meeting(s, host, "{}");
            String id = meeting.get("id").asText();
            String room = meeting.get("room").asText();

            RunningServer.Signaling recorder = s.signaling();
            recorder.join(room, "Rec", key.token(room, RECORDER, true));
            assertTrue(recorder.next("joined").get("canRecord").asBoolean(), "joined says the grant");
            RunningServer.Signaling viewer = s.signaling();
            viewer.join(room, "Viewer", key.token(room, "viewer-1", false));
            assertFalse(viewer.next("joined").get("canRecord").asBoolean());

            viewer.sendMessage("startRecording");
            assertEquals("startRecording", viewer.error("forbidden").get("requestType").asText());
            recorder.sendMessage("stopRecording");
            recorder.error("recording_not_active");
            assertEquals(0, recordingsOf(s, id, host), "the refused start left nothing");

            recorder.sendMessage("startRecording");
            JsonNode on = viewer.next("recording");
            assertTrue(on.get("active").asBoolean(), "everyone is told: " + on);
            String rec = on.get("recordingId").asText();
            assertEquals(rec, recorder.next("recording").get("recordingId").asText());
            assertEquals(RECORDER, startedBy(db, rec));
            recorder.sendMessage("startRecording");
            recorder.error("recording_in_progress");

            viewer.sendMessage("stopRecording");
            viewer.error("forbidden");
            recorder.sendMessage("stopRecording");
            JsonNode off = viewer.next("recording");
            assertFalse(off.get("active").asBoolean(), "the stop is announced: " + off);
            assertFalse(recorder.next("recording").get("active").asBoolean());
            String status = s.get("/api/v1/meetings/" + id + "/recordings", host).body().get("items").get(0)
                    .get("status").asText();
            assertTrue(status.equals("stopped") || status.equals("completed"), status);

            JsonNode closed = meeting(s, host, "{\"recordingAllowed\":false}");
            String closedRoom = closed.get("room").asText();
            RunningServer.Signaling refused = s.signaling();
            refused.join(closedRoom, "Rec", key.token(closedRoom, RECORDER, true));
            refused.next("joined");
            refused.sendMessage("startRecording");
            refused.error("recording_not_allowed");
            assertEquals(0, recordingsOf(s, closed.get("id").asText(), host));
        }
    }

    @Test
    void theServersOwnTokensRecordForTheHostOnlyWhileItsAccountIsEnabled() throws Exception {
        try (RunningServer s = new RunningServer(dir)) {
            String admin = register(s, "admin@example.org");
            String host = register(s, "host@example.org");
            String hostId = s.get("/api/v1/users/me", host).body().get("id").asText();
            JsonNode meeting = meeting(s, host, "{}");
            String id = meeting.get("id").asText();
            String start = "/api/v1/meetings/" + id + "/recordings";
            String hostToken = s.post(start.replace("/recordings", "/join"), host, "{}").body().get("token").asText();
            String guestToken = s.post(start.replace("/recordings", "/join"), null, "{\"name\":\"G\"}").body()
                    .get("token").asText();

            assertProblem(s.post(start, guestToken, "{}"), 403, "forbidden");
            RunningServer.Reply started = s.post(start, hostToken, "{}");
            assertEquals(201, started.status(), "the host's join token carries isHost: " + started.body());
            assertEquals(200, s.post("/api/v1/recordings/" + started.body().get("id").asText() + "/stop", hostToken,
                    "{}").status());

            assertEquals(200, s.post("/api/v1/users/" + hostId + "/disable", admin, "").status());
            assertProblem(s.post(start, hostToken, "{}"), 403, "forbidden");
            assertEquals(1, recordingsOf(s, id, admin), "the disabled host's token started nothing more");
        }
    }
}
