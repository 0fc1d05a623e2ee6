package dev.parley.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Page;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Chromium participant recorded for about five seconds, then the server is killed with SIGKILL in the middle of
 * the recording and started again on the same data directory: the recording becomes {@code completed} with
 * {@code truncated: true}, and its per-track files download and play for about as long as was recorded.
 */
class RecordingCrashTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path dataDir;

    @Test
    void aRecordingCutOffByKillIsFinalizedAtTheNextStartAsTruncated() throws Exception {
        String host;
        String meetingId;
        String recording;
        long recordedMillis;
        try (HeadlessChromium chromium = HeadlessChromium.launch()) {
            ParleyServerProcess first = ParleyServerProcess.start("recording-crash-before", dataDir, List.of());
            try {
                ApiClient api = new ApiClient(first.baseUri());
                register(api, "admin@example.org");
                host = register(api, "host@example.org");
                JsonNode meeting = api.expect(201, "POST", "/api/v1/meetings", host, Map.of("title", "Cut off"));
                meetingId = meeting.path("id").asText();
                try (MeetingPage alice = MeetingPage.join(chromium, first, meeting.path("room").asText(), "Alice")) {
                    alice.awaitTiles(Set.of("Alice"), TIMEOUT);
                    // Her camera reaches the server before the recording starts: what this test measures is what a
                    // crash loses at the end, not how soon a camera that starts with the recording is in it.
                    alice.awaitPublishingVideo(TIMEOUT);
                    recording = api.expect(201, "POST", "/api/v1/meetings/" + meetingId + "/recordings", host, null)
                            .path("id").asText();
                    long started = System.nanoTime();
                    alice.page().waitForSelector("#recording-indicator:not([hidden])",
                            new Page.WaitForSelectorOptions().setTimeout(TIMEOUT.toMillis()));
                    alice.pause(Duration.ofSeconds(5)); // the length of the recording, not a wait for a condition
                    first.kill();
                    recordedMillis = (System.nanoTime() - started) / 1_000_000;
                }
            } finally {
                first.kill();
            }
        }

        try (ParleyServerProcess second = ParleyServerProcess.start("recording-crash-after", dataDir, List.of())) {
            ApiClient api = new ApiClient(second.baseUri());
            JsonNode done = awaitCompleted(api, host, meetingId);
            assertEquals(recording, done.path("id").asText());
            assertTrue(done.path("truncated").asBoolean(), "the recording says it ended with a crash: " + done);
            assertEquals(recordedMillis / 1000.0, done.path("durationSeconds").asDouble(), 2.0,
                    "the recovered duration is what was recorded before the kill: " + done);

            JsonNode files = api.expect(200, "GET", "/api/v1/recordings/" + recording + "/download", host, null)
                    .path("files");
            assertEquals(2, files.size(), "Alice's voice and camera: " + files);
            int audio = 0;
            for (JsonNode f : files) {
                HttpResponse<byte[]> body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                second.baseUri().resolve(URI.create(f.path("url").asText())))
                        .header("Authorization", "Bearer " + host).build(), HttpResponse.BodyHandlers.ofByteArray());
                assertEquals(200, body.statusCode(), f.toString());
                Path file = E2eFiles.outputDir().resolve("crash-" + f.path("name").asText());
                Files.write(file, body.body());
                Map<String, String> probe = FfProbe.probe(file);
                double seconds = Double.parseDouble(probe.get("duration"));
                assertEquals(recordedMillis / 1000.0, seconds, 2.0,
                        f.path("name").asText() + " plays for about as long as was recorded: " + probe + "; the recording: "
                                + done);
                audio += "audio".equals(probe.get("codec_type")) ? 1 : 0;
            }
            assertEquals(1, audio, "one of the files is the voice: " + files);
            for (JsonNode t : done.path("tracks")) {
                assertTrue(t.path("truncated").asBoolean(), "each track was cut off: " + t);
            }
        }
    }

    private static String register(ApiClient api, String email) {
        return api.expect(201, "POST", "/api/v1/auth/register", null, Map.of("email", email,
                "password", "a long enough secret", "displayName", "Someone")).path("accessToken").asText();
    }

    private static JsonNode awaitCompleted(ApiClient api, String host, String meetingId) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = api.expect(200, "GET", "/api/v1/meetings/" + meetingId + "/recordings", host, null)
                    .path("items").get(0);
            if (!last.path("status").asText().matches("recording|stopped")) {
                assertEquals("completed", last.path("status").asText(), last.toString());
                return last;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the crashed recording was not completed within 60 s: " + last);
    }
}
