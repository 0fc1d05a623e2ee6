package dev.parley.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Page;
import dev.parley.recorder.store.S3ProxyServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.ThrowingConsumer;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two Chromium participants, each camera one stream (simulcast off), in a meeting that a host records through the REST API for about ten seconds: both
 * pages show that it is recorded, and the per-track files and the meeting file reach a real S3 server (S3Proxy)
 * where ffprobe finds an audio and a video stream of about ten seconds; the meeting file plays in Chromium and
 * its sound is not silence.
 */
class RecordingCallTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final String BUCKET = "parley-recordings";
    private static final String PASSWORD = "a long enough secret";
    private static final S3ProxyServer S3 = startS3();

    @RegisterExtension
    static final CallFixture call = new CallFixture("recording", () -> {
        // simulcast is the default; SimulcastRecordingCallTest covers it, this test the single-stream camera
        List<String> args = new ArrayList<>(serverArgs(S3));
        args.addAll(List.of("--simulcast", "false"));
        return args;
    });

    /** The server's flags: recordings go to the bucket of {@code s3}. */
    static List<String> serverArgs(S3ProxyServer s3) {
        return List.of("--recording-store", "s3", "--s3-endpoint", s3.endpoint().toString(), "--s3-bucket", BUCKET,
                "--s3-access-key", S3ProxyServer.ACCESS_KEY, "--s3-secret-key", S3ProxyServer.SECRET_KEY);
    }

    static S3ProxyServer startS3() {
        try {
            return S3ProxyServer.start(BUCKET);
        } catch (Exception e) {
            throw new IllegalStateException("S3Proxy did not start", e);
        }
    }

    @AfterAll
    static void stopS3() throws Exception {
        S3.close();
    }

    @Test
    void aHostRecordsTwoParticipantsAndTheirTracksReachS3AsTenSecondFiles() throws Throwable {
        recordTwoParticipants(call, S3, "recording-", page -> {});
    }

    /**
     * The whole test on the server of {@code call}, recording into {@code s3}; the files it keeps for a look
     * afterwards are named {@code filePrefix...}; {@code checkPublisher} looks at Alice's page once media flows.
     * Shared with the simulcast variant.
     */
    static void recordTwoParticipants(CallFixture call, S3ProxyServer s3, String filePrefix,
            ThrowingConsumer<MeetingPage> checkPublisher) throws Throwable {
        ApiClient api = new ApiClient(call.server().baseUri());
        register(api, "admin@example.org");
        String host = register(api, "host@example.org");
        JsonNode meeting = api.expect(201, "POST", "/api/v1/meetings", host, Map.of("title", "Recorded"));
        String meetingId = meeting.path("id").asText();
        String room = meeting.path("room").asText();
        try (MeetingPage alice = MeetingPage.join(call.chromium(), call.server(), room, "Alice");
             MeetingPage bob = MeetingPage.join(call.chromium(), call.server(), room, "Bob")) {
            alice.awaitTiles(Set.of("Alice", "Bob"), TIMEOUT);
            bob.awaitTiles(Set.of("Alice", "Bob"), TIMEOUT);
            alice.awaitMediaFrom(List.of("Bob"), TIMEOUT);
            bob.awaitMediaFrom(List.of("Alice"), TIMEOUT);
            checkPublisher.accept(alice);

            String recording = api.expect(201, "POST", "/api/v1/meetings/" + meetingId + "/recordings", host, null)
                    .path("id").asText();
            for (MeetingPage page : List.of(alice, bob)) {
                page.page().waitForSelector("#recording-indicator:not([hidden])",
                        new Page.WaitForSelectorOptions().setTimeout(TIMEOUT.toMillis()));
            }
            alice.pause(Duration.ofSeconds(10)); // the length of the recording, not a wait for a condition
            api.expect(200, "POST", "/api/v1/recordings/" + recording + "/stop", host, null);
            for (MeetingPage page : List.of(alice, bob)) {
                page.page().waitForSelector("#recording-indicator[hidden]",
                        new Page.WaitForSelectorOptions().setTimeout(TIMEOUT.toMillis())
                                .setState(com.microsoft.playwright.options.WaitForSelectorState.ATTACHED));
            }

            JsonNode done = awaitCompleted(api, host, meetingId);
            assertEquals(4, done.path("tracks").size(), "two voices and two cameras: " + done);
            assertTrue(done.path("meetingFileMissing").isNull(), "the meeting file was made: " + done);
            String meetingFileKey = "recordings/" + recording + "/meeting.webm";
            assertEquals(meetingFileKey, done.path("meetingFileKey").asText(), done.toString());
            List<String> keys = new ArrayList<>(s3.keys(BUCKET, "recordings/" + recording + "/"));
            assertTrue(keys.remove(meetingFileKey), "the meeting file is in the bucket: " + keys);
            assertEquals(4, keys.size(), "every track's file is in the bucket: " + keys);
            checkMeetingFile(call, filePrefix, s3.read(BUCKET, meetingFileKey), done.path("meetingFileBytes").asLong());
            int audio = 0;
            int video = 0;
            for (String key : keys) {
                Path file = E2eFiles.outputDir().resolve(filePrefix + key.substring(key.lastIndexOf('/') + 1));
                Files.write(file, s3.read(BUCKET, key));
                Map<String, String> probe = FfProbe.probe(file);
                double seconds = Double.parseDouble(probe.get("duration"));
                assertTrue(seconds > 8 && seconds < 12.5, key + " lasts about 10 s: " + probe);
                if ("audio".equals(probe.get("codec_type"))) {
                    assertEquals("opus", probe.get("codec_name"), probe.toString());
                    audio++;
                } else {
                    assertEquals("video", probe.get("codec_type"), probe.toString());
                    video++;
                }
            }
            assertEquals(2, audio, "one audio file per participant");
            assertEquals(2, video, "one video file per participant");

            // The download answer links each file with a presigned URL of the bucket; it serves the same bytes.
            JsonNode answer = api.expect(200, "GET", "/api/v1/recordings/" + recording + "/download", host, null);
            JsonNode meetingFile = answer.path("meetingFile");
            assertEquals("meeting.webm", meetingFile.path("name").asText(), answer.toString());
            assertTrue(meetingFile.path("direct").asBoolean(), answer.toString());
            assertTrue(answer.path("meetingFileMissing").isNull(), answer.toString());
            HttpResponse<byte[]> mixed = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(java.net.URI.create(meetingFile.path("url").asText())).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, mixed.statusCode());
            assertArrayEquals(s3.read(BUCKET, meetingFileKey), mixed.body());
            checkMyMeetingsLinksTheMeetingFile(call, s3);
            JsonNode files = answer.path("files");
            JsonNode first = files.get(0);
            assertTrue(first.path("direct").asBoolean(), files.toString());
            HttpResponse<byte[]> fetched = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(java.net.URI.create(first.path("url").asText())).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, fetched.statusCode());
            assertArrayEquals(s3.read(BUCKET, "recordings/" + recording + "/" + first.path("name").asText()),
                    fetched.body());
            for (MeetingPage page : List.of(alice, bob)) {
                assertEquals(List.of(), page.policyViolations(), page.name() + ": the indicator obeys the CSP");
            }
        }
    }

    /**
     * The meeting file: one audio and one video stream of about 10 s (ffprobe), not silent (ffmpeg volumedetect;
     * Chromium's fake microphone beeps), and it plays in Chromium: a {@code <video>} on a page of the server's
     * origin, from a blob URL (the page's CSP allows blob: media), whose {@code currentTime} advances.
     */
    private static void checkMeetingFile(CallFixture call, String filePrefix, byte[] bytes, long bytesInManifest) throws Exception {
        assertEquals(bytesInManifest, bytes.length, "the recording's row gives the meeting file's size");
        Path file = E2eFiles.outputDir().resolve(filePrefix + "meeting.webm");
        Files.write(file, bytes);
        String streams = run("ffprobe", "-v", "error", "-show_entries", "stream=codec_type,codec_name", "-of",
                "csv=p=0", file.toString());
        assertEquals(List.of("vp8,video", "opus,audio"), streams.lines().map(String::strip).toList(), streams);
        double seconds = Double.parseDouble(FfProbe.probe(file).get("duration"));
        assertTrue(seconds > 8 && seconds < 12.5, "the meeting file lasts about 10 s: " + seconds);
        String volume = run("ffmpeg", "-nostdin", "-hide_banner", "-i", file.toString(), "-map", "0:a",
                "-af", "volumedetect", "-f", "null", "-");
        java.util.regex.Matcher mean = java.util.regex.Pattern.compile("mean_volume: (-?[0-9.]+|-inf) dB")
                .matcher(volume);
        assertTrue(mean.find(), volume);
        assertTrue(!mean.group(1).equals("-inf") && Double.parseDouble(mean.group(1)) > -60,
                "the voices are heard in the meeting file: mean volume " + mean.group(1) + " dB");

        try (com.microsoft.playwright.BrowserContext context = call.chromium()
                .newParticipantContext(call.server().baseUri().toString())) {
            Page player = context.newPage();
            player.navigate("/");
            player.evaluate("b64 => { const bin = atob(b64); const data = new Uint8Array(bin.length);"
                    + " for (let i = 0; i < bin.length; i++) data[i] = bin.charCodeAt(i);"
                    + " const v = document.createElement('video'); v.id = 'meeting-file'; v.muted = true;"
                    + " v.src = URL.createObjectURL(new Blob([data], { type: 'video/webm' }));"
                    + " document.body.append(v); v.play().catch(() => {}); }",
                    java.util.Base64.getEncoder().encodeToString(bytes));
            player.waitForFunction("() => { const v = document.getElementById('meeting-file');"
                    + " return v && !v.error && v.videoWidth > 0 && v.currentTime > 2; }", null,
                    new Page.WaitForFunctionOptions().setTimeout(TIMEOUT.toMillis()));
            Object duration = player.evaluate("() => document.getElementById('meeting-file').duration");
            assertTrue(((Number) duration).doubleValue() > 8, "Chromium reads its length: " + duration);
        }
    }

    /** The host signs in and My meetings offers the whole meeting, a link to the bucket's presigned URL. */
    private static void checkMyMeetingsLinksTheMeetingFile(CallFixture call, S3ProxyServer s3) {
        try (com.microsoft.playwright.BrowserContext context = call.chromium()
                .newParticipantContext(call.server().baseUri().toString())) {
            Page page = context.newPage();
            page.navigate("/account.html");
            page.click("#tab-signin");
            page.fill("#signin-email", "host@example.org");
            page.fill("#signin-password", PASSWORD);
            page.click("#signin-form button[type=submit]");
            page.waitForURL(java.util.regex.Pattern.compile("/meetings\\.html$"));
            com.microsoft.playwright.Locator link = page.locator(".meeting-file a");
            link.waitFor(new com.microsoft.playwright.Locator.WaitForOptions().setTimeout(TIMEOUT.toMillis())
                    .setState(com.microsoft.playwright.options.WaitForSelectorState.ATTACHED));
            page.locator(".recordings summary").click(); // the recordings are folded away until opened
            link.waitFor(new com.microsoft.playwright.Locator.WaitForOptions().setTimeout(TIMEOUT.toMillis()));
            assertEquals("Whole meeting", link.textContent());
            assertEquals("meeting.webm", link.getAttribute("download"));
            String href = link.getAttribute("href");
            assertTrue(href.startsWith(s3.endpoint().toString()) && href.contains("/meeting.webm?"), href);
        }
    }

    /** Runs a program to its end and returns its output and error output; fails on a non-zero exit. */
    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
        return out;
    }

    private static String register(ApiClient api, String email) {
        return api.expect(201, "POST", "/api/v1/auth/register", null, Map.of("email", email,
                "password", PASSWORD, "displayName", "Someone")).path("accessToken").asText();
    }

    private static JsonNode awaitCompleted(ApiClient api, String host, String meetingId) throws InterruptedException {
        // Up to two minutes: the meeting file is encoded with one thread on a machine shared with the browsers.
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = api.expect(200, "GET", "/api/v1/meetings/" + meetingId + "/recordings", host, null)
                    .path("items").get(0);
            if (last.path("status").asText().equals("completed")) {
                return last;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the recording did not complete within 120 s: " + last);
    }
}
