package dev.parley.server;

import static dev.parley.server.Meetings.meeting;
import static dev.parley.server.Meetings.register;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.loadtest.SyntheticPeer;
import dev.parley.testkit.Eventually;
import dev.parley.testkit.PostgresSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starting, stopping, listing and downloading recordings over real HTTP on a running server (with its real
 * recorder and local store), and every refusal as a problem document that changes nothing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RecordingApiTest {
    @TempDir
    Path dir;

    private static void assertProblem(RunningServer.Reply r, int status, String type) {
        assertEquals(status, r.status(), String.valueOf(r.body()));
        assertEquals("https://parley.dev/problems/" + type, r.body().get("type").asText(), String.valueOf(r.body()));
    }

    private static JsonNode recordings(RunningServer s, String meetingId, String access) throws Exception {
        RunningServer.Reply r = s.get("/api/v1/meetings/" + meetingId + "/recordings", access);
        assertEquals(200, r.status(), String.valueOf(r.body()));
        return r.body().get("items");
    }

    @Test
    void hostsRecordTheirMeetingAndEveryRefusalIsAProblemThatChangesNothing() throws Exception {
        try (RunningServer s = new RunningServer(dir)) {
            String admin = register(s, "admin@example.org");
            String host = register(s, "host@example.org");
            String stranger = register(s, "stranger@example.org");
            String id = meeting(s, host, "{}").get("id").asText();
            String start = "/api/v1/meetings/" + id + "/recordings";

            assertProblem(s.post(start, null, "{}"), 401, "unauthorized");
            assertProblem(s.post(start, stranger, "{}"), 403, "forbidden");
            assertProblem(s.post("/api/v1/meetings/no-such-meeting/recordings", host, "{}"), 404, "not-found");
            String forbidden = meeting(s, host, "{\"recordingAllowed\":false}").get("id").asText();
            assertProblem(s.post("/api/v1/meetings/" + forbidden + "/recordings", host, "{}"), 403,
                    "recording-not-allowed");
            assertEquals(0, recordings(s, forbidden, host).size(), "a refused start leaves no recording");
            assertEquals(0, recordings(s, id, host).size());

            RunningServer.Reply started = s.post(start, host, "{}");
            assertEquals(201, started.status(), String.valueOf(started.body()));
            String rec = started.body().get("id").asText();
            assertEquals("recording", started.body().get("status").asText());
            assertProblem(s.post(start, host, "{}"), 409, "recording-in-progress");
            assertProblem(s.post(start, admin, "{}"), 409, "recording-in-progress");
            assertEquals(1, recordings(s, id, host).size(), "the refused second start added nothing");
            assertProblem(s.get("/api/v1/meetings/" + id + "/recordings", stranger), 403, "forbidden");

            assertProblem(s.post("/api/v1/recordings/" + rec + "/stop", stranger, "{}"), 403, "forbidden");
            assertProblem(s.post("/api/v1/recordings/no-such-recording/stop", host, "{}"), 404, "not-found");
            assertProblem(s.get("/api/v1/recordings/no-such-recording/download", host), 404, "not-found");
            assertProblem(s.get("/api/v1/recordings/" + rec + "/download", host), 409, "conflict");
            assertProblem(s.get("/api/v1/recordings/" + rec + "/download", stranger), 403, "forbidden");

            RunningServer.Reply stopped = s.post("/api/v1/recordings/" + rec + "/stop", admin, "{}");
            assertEquals(200, stopped.status(), String.valueOf(stopped.body()));
            assertEquals("stopped", stopped.body().get("status").asText());
            assertProblem(s.post("/api/v1/recordings/" + rec + "/stop", host, "{}"), 409, "recording-not-active");
            Eventually.await(Duration.ofSeconds(10), "the empty recording completes", () -> {
                try {
                    return recordings(s, id, host).get(0).get("status").asText().equals("completed");
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            JsonNode done = recordings(s, id, host).get(0);
            assertEquals(0, done.get("tracks").size(), "nobody published");
            assertTrue(done.get("durationSeconds").asDouble() >= 0);
            RunningServer.Reply download = s.get("/api/v1/recordings/" + rec + "/download", host);
            assertEquals(200, download.status(), String.valueOf(download.body()));
            assertEquals(0, download.body().get("files").size());
            assertTrue(download.body().get("meetingFile").isNull(), "nothing recorded, no meeting file");
            assertTrue(download.body().get("meetingFileMissing").asText().contains("no track files"),
                    "the answer says why there is no meeting file: " + download.body());
            assertProblem(s.get("/api/v1/recordings/" + rec + "/files/track-1-audio.webm", host), 404, "not-found");

            // A new recording after the stop is allowed; an ended meeting may not be recorded.
            assertEquals(201, s.post(start, host, "{}").status());
            assertEquals(204, s.delete("/api/v1/meetings/" + id, host).status());
            assertProblem(s.post(start, host, "{}"), 409, "meeting-ended");
        }
    }

    @Test
    void theRecordingsLifeIsInTheDatabaseAndItsEventsInTheOutbox() throws Exception {
        try (PostgresSchema db = PostgresSchema.create(); RunningServer s = new RunningServer(dir, db.serverArgs())) {
            register(s, "admin@example.org");
            String host = register(s, "host@example.org");
            String id = meeting(s, host, "{}").get("id").asText();
            String rec = s.post("/api/v1/meetings/" + id + "/recordings", host, "{}").body().get("id").asText();
            assertEquals(200, s.post("/api/v1/recordings/" + rec + "/stop", host, "{}").status());
            Eventually.await(Duration.ofSeconds(10), "recording.completed is in the outbox",
                    () -> events(db).contains("recording.completed"));
            assertEquals(List.of("recording.started", "recording.stopped", "recording.completed"), events(db));
        }
    }

    @Test
    void aPublishedTrackIsRecordedAndItsFileIsDownloadedFromTheLocalStore() throws Exception {
        try (RunningServer s = new RunningServer(dir);
             SyntheticPeer peer = SyntheticPeer.open("host-pub", (p, at) -> {})) {
            register(s, "admin@example.org");
            String host = register(s, "host@example.org");
            JsonNode meeting = meeting(s, host, "{}");
            String id = meeting.get("id").asText();
            JsonNode join = s.post("/api/v1/meetings/" + id + "/join", host, "{\"name\":\"Hana\"}").body();
            RunningServer.Signaling signaling = s.signaling();
            signaling.join(join.get("room").asText(), "Hana", join.get("token").asText());
            signaling.next("joined");
            int audioSsrc = 0x5151;
            signaling.send(RunningServer.JSON.writeValueAsString(Map.of("type", "publish",
                    "sdp", peer.publisherOffer(audioSsrc, 0x5252))));
            peer.acceptAnswer(signaling.next("publishAnswer").get("sdp").asText());
            peer.connect(Duration.ofSeconds(5));

            String rec = s.post("/api/v1/meetings/" + id + "/recordings", host, "{}").body().get("id").asText();
            JsonNode told = signaling.next("recording");
            assertTrue(told.get("active").asBoolean(), "everyone in the room is told: " + told);
            assertEquals(rec, told.get("recordingId").asText());
            RunningServer.Signaling late = s.signaling();
            JsonNode guest = s.post("/api/v1/meetings/" + id + "/join", null, "{\"name\":\"Late\"}").body();
            late.join(guest.get("room").asText(), "Late", guest.get("token").asText());
            JsonNode joined = late.next("joined");
            assertTrue(joined.get("recording").get("active").asBoolean(), "a late joiner learns it: " + joined);
            assertEquals(rec, joined.get("recording").get("recordingId").asText());
            // Two seconds of 20 ms Opus packets (TOC 0xFC: CELT fullband, 20 ms, stereo), paced in real time.
            byte[] frame = new byte[40];
            frame[0] = (byte) 0xFC;
            long start = System.nanoTime();
            for (int i = 0; i < 100; i++) {
                java.util.concurrent.locks.LockSupport.parkNanos(start + i * 20_000_000L - System.nanoTime());
                assertTrue(peer.sendRtp(audioSsrc, SyntheticPeer.OPUS_PAYLOAD_TYPE, 7000 + i, 960 * i, frame));
            }
            assertEquals(200, s.post("/api/v1/recordings/" + rec + "/stop", host, "{}").status());
            for (RunningServer.Signaling inRoom : List.of(signaling, late)) {
                JsonNode ended = inRoom.next("recording");
                assertFalse(ended.get("active").asBoolean(), "the end is announced too: " + ended);
            }
            Eventually.await(Duration.ofSeconds(10), "the recording completes", () -> {
                try {
                    return recordings(s, id, host).get(0).get("status").asText().equals("completed");
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            JsonNode done = recordings(s, id, host).get(0);
            JsonNode audio = null;
            for (JsonNode t : done.get("tracks")) {
                if (t.get("kind").asText().equals("audio")) {
                    audio = t;
                }
            }
            assertTrue(audio != null, "an audio track: " + done);
            assertEquals("Hana", audio.get("participantName").asText());
            assertEquals("opus", audio.get("codec").asText());
            assertTrue(done.get("meetingFileMissing").isNull(), "the meeting file was made: " + done);
            assertTrue(audio.get("bytes").asLong() > 0 && done.get("meetingFileBytes").asLong() > 0
                    && audio.get("bytes").asLong() + done.get("meetingFileBytes").asLong()
                            == done.get("bytes").asLong(),
                    "the track file and the meeting file make the recording's size: " + done);

            JsonNode answer = s.get("/api/v1/recordings/" + rec + "/download", host).body();
            JsonNode meetingFile = answer.get("meetingFile");
            assertEquals("meeting.webm", meetingFile.get("name").asText(), answer.toString());
            assertTrue(answer.get("meetingFileMissing").isNull(), answer.toString());
            assertEquals("/api/v1/recordings/" + rec + "/files/meeting.webm", meetingFile.get("url").asText());
            java.net.http.HttpResponse<byte[]> mixed = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(s.base + meetingFile.get("url").asText()))
                            .header("authorization", "Bearer " + host).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, mixed.statusCode());
            assertEquals(meetingFile.get("bytes").asLong(), mixed.body().length);
            Path mixedFile = dir.resolve("meeting.webm");
            Files.write(mixedFile, mixed.body());
            Process streams = new ProcessBuilder("ffprobe", "-v", "error", "-show_entries", "stream=codec_type",
                    "-of", "csv=p=0", mixedFile.toString()).start();
            String kinds = new String(streams.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(0, streams.waitFor(), kinds);
            assertEquals(List.of("video", "audio"), kinds.lines().map(String::strip).toList());

            JsonNode files = answer.get("files");
            assertEquals(1, files.size(), "one file: the camera sent nothing, so it has none: " + files);
            java.net.http.HttpResponse<byte[]> file = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(s.base + files.get(0).get("url").asText()))
                            .header("authorization", "Bearer " + host).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, file.statusCode());
            assertEquals("video/webm", file.headers().firstValue("content-type").orElse(""));
            assertEquals(audio.get("bytes").asLong(), file.body().length);
            Path webm = dir.resolve("downloaded.webm");
            Files.write(webm, file.body());
            Process probe = new ProcessBuilder("ffprobe", "-v", "error", "-show_entries",
                    "stream=codec_name:format=duration", "-of", "default=nw=1", webm.toString()).start();
            String out = new String(probe.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(0, probe.waitFor(), out);
            assertTrue(out.contains("codec_name=opus"), out);
            double seconds = Double.parseDouble(out.replaceAll("(?s).*duration=([0-9.]+).*", "$1"));
            assertEquals(2.0, seconds, 0.3, out);

            JsonNode stranger = s.get("/api/v1/recordings/" + rec + "/download", register(s, "x@example.org")).body();
            assertEquals("https://parley.dev/problems/forbidden", stranger.get("type").asText());
        }
    }

    @Test
    void aShutdownFinishesTheRecordingAndACrashedEmptyOneIsFailedAtTheNextStart() throws Exception {
        try (PostgresSchema db = PostgresSchema.create()) {
            String host;
            String id;
            String rec;
            try (RunningServer s = new RunningServer(dir, db.serverArgs())) {
                register(s, "admin@example.org");
                host = register(s, "host@example.org");
                id = meeting(s, host, "{}").get("id").asText();
                rec = s.post("/api/v1/meetings/" + id + "/recordings", host, "{}").body().get("id").asText();
            } // the ordered shutdown stops the recording: no stop call
            assertEquals("completed", status(db, rec), "the shutdown finished the (empty) recording");

            // A crash leaves a row that is still recording and holds its meeting.
            try (Connection c = db.connect(); Statement st = c.createStatement()) {
                st.executeUpdate("UPDATE recordings SET status = 'recording', active_meeting_id = meeting_id, "
                        + "stopped_at = NULL WHERE id = '" + rec + "'");
            }
            try (RunningServer s = new RunningServer(dir, db.serverArgs())) {
                long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
                while (!"failed".equals(status(db, rec)) && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertEquals("failed", status(db, rec), "the restarted node fails what its crash cut off when "
                        + "nothing of it was written");
                JsonNode failed = recordings(s, id, host).get(0);
                assertEquals("the server stopped during the recording and no file of it could be recovered",
                        failed.get("failureReason").asText());
                assertEquals(false, failed.get("truncated").asBoolean());
                assertEquals(201, s.post("/api/v1/meetings/" + id + "/recordings", host, "{}").status(),
                        "the meeting may be recorded again");
            }
        }
    }

    private static String status(PostgresSchema db, String recording) throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT status FROM recordings WHERE id = '" + recording + "'")) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static List<String> events(PostgresSchema db) {
        List<String> types = new ArrayList<>();
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT type FROM event_outbox WHERE type LIKE 'recording.%' ORDER BY seq")) {
            while (rs.next()) {
                types.add(rs.getString(1));
            }
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
        return types;
    }
}
