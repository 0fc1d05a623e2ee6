package dev.parley.server;

import static dev.parley.server.Meetings.register;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.ai.ModelContract;
import dev.parley.ai.standin.KserveStandIn;
import dev.parley.testkit.Eventually;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one-shot AI endpoints on a real server wired to the real AI bridge, with a KServe v2 stand-in for Triton on
 * loopback: good files are transcribed and scored by the stand-in; bad files (not audio, truncated, oversized, too
 * long, an unsupported sample format, silent) get problem+json and never reach the stand-in; /info and /health show
 * the configured contract and the endpoint's state, and a stopped Triton turns into 503 with Retry-After, then
 * recovers. The bridge's counters are in /metrics.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AiEndpointsTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void oneShotEndpointsSendOnlyGoodAudioAndReportTritonsState() throws Exception {
        try (KserveStandIn triton = KserveStandIn.start(ModelContract.asrDefaults(), ModelContract.emotionDefaults());
             RunningServer s = new RunningServer(dir, "--ai-endpoints", "127.0.0.1:" + triton.port(),
                     "--ai-emotion-model", "emotion", "--ai-upload-max-bytes", "200000", "--ai-upload-max-duration", "5s",
                     "--ai-health-interval", "200ms", "--ai-breaker-open", "500ms")) {
            String token = register(s, "ai-user@example.org");
            triton.scriptTexts("hello from the stand-in");

            HttpResponse<String> asr = upload(s, "/api/v1/ai/asr", token, "audio/wav", wav(16_000, 1, 16, 1, 1000, 0.3));
            assertEquals(200, asr.statusCode(), asr.body());
            JsonNode a = RunningServer.JSON.readTree(asr.body());
            assertEquals("hello from the stand-in", a.get("text").asText());
            assertEquals(1000, a.get("durationMs").asLong(), 20);
            assertEquals("asr", a.get("model").asText());
            assertEquals(1, triton.received("asr").size());
            assertEquals(16_000, triton.received("asr").getFirst().sampleCount(), 160, "1 s at 16 kHz reached Triton");

            // 48 kHz stereo is resampled and mixed down before it goes.
            HttpResponse<String> emotion = upload(s, "/api/v1/ai/emotion", token, "audio/x-wav",
                    wav(48_000, 2, 16, 1, 500, 0.3));
            assertEquals(200, emotion.statusCode(), emotion.body());
            JsonNode e = RunningServer.JSON.readTree(emotion.body());
            assertEquals("neutral", e.get("label").asText());
            assertEquals(0.7, e.get("score").asDouble(), 1e-6);
            assertEquals(3, e.get("scores").size());
            assertEquals(8000, triton.received("emotion").getFirst().sampleCount(), 160);
            assertEquals(2, triton.calls());
            assertTrue(triton.violations().isEmpty(), triton.violations().toString());

            byte[] good = wav(16_000, 1, 16, 1, 1000, 0.3);
            expectProblem(s, token, "audio/wav", "hello, this is text".getBytes(), 415, "not-audio");
            expectProblem(s, token, "audio/wav", Arrays.copyOf(good, good.length / 2), 400, "bad-audio");
            expectProblem(s, token, "audio/wav", new byte[250_000], 413, "payload-too-large");
            expectProblem(s, token, "audio/wav", wav(8_000, 1, 16, 1, 6000, 0.3), 413, "payload-too-large");
            expectProblem(s, token, "audio/wav", wav(16_000, 1, 8, 6, 500, 0.3), 422, "unsupported-audio-format");
            expectProblem(s, token, "audio/wav", wav(16_000, 1, 16, 1, 1000, 0), 422, "no-speech");
            expectProblem(s, token, "audio/wav", new byte[0], 400, "bad-audio");
            assertEquals(2, triton.calls(), "no bad file reached Triton");

            JsonNode info = RunningServer.JSON.readTree(get(s, "/api/v1/ai/info", token).body());
            assertEquals("127.0.0.1:" + triton.port(), info.get("endpoints").get(0).asText());
            assertEquals("asr", info.get("asr").get("model").asText());
            assertEquals("FP32", info.get("asr").get("datatype").asText());
            assertEquals("LABELS", info.get("emotion").get("output").asText());
            assertEquals(16000, info.get("sampleRate").asInt());
            assertEquals(200_000, info.get("maxUploadBytes").asInt());
            assertEquals(200, get(s, "/api/v1/ai/health", token).statusCode());

            triton.stop();
            Eventually.await(Duration.ofSeconds(10), "/api/v1/ai/health reports Triton down",
                    () -> get(s, "/api/v1/ai/health", token).statusCode() == 503);
            HttpResponse<String> down = upload(s, "/api/v1/ai/asr", token, "audio/wav", good);
            assertEquals(503, down.statusCode(), down.body());
            assertEquals("application/problem+json", down.headers().firstValue("content-type").orElse("").split(";")[0]);
            assertTrue(down.body().contains("ai-unavailable"), down.body());
            assertTrue(down.headers().firstValue("retry-after").isPresent(), "Retry-After tells when to try again");

            triton.restart();
            Eventually.await(Duration.ofSeconds(15), "/api/v1/ai/health recovers after Triton restarts",
                    () -> get(s, "/api/v1/ai/health", token).statusCode() == 200);
            assertEquals(200, upload(s, "/api/v1/ai/asr", token, "audio/wav", good).statusCode());

            String metrics = s.metrics();
            assertTrue(RunningServer.sample(metrics, "parley_ai_calls_total{outcome=\"ok\"}") >= 3, metrics);
            assertEquals(0, RunningServer.sample(metrics, "parley_ai_captioned_rooms"), 0);
        }
    }

    @Test
    void aHostsButtonAttachesTheBridgeAndItsStatusFollowsTriton() throws Exception {
        try (KserveStandIn triton = KserveStandIn.start(ModelContract.asrDefaults(), null);
             RunningServer s = new RunningServer(dir, "--ai-endpoints", "127.0.0.1:" + triton.port(),
                     "--ai-health-interval", "200ms", "--ai-breaker-open", "500ms")) {
            String host = register(s, "ai-host@example.org");
            JsonNode meeting = Meetings.meeting(s, host, "{}");
            String room = meeting.get("room").asText();
            String hostToken = s.post("/api/v1/meetings/" + meeting.get("id").asText() + "/join", host, "{}").body()
                    .get("token").asText();
            RunningServer.Signaling h = s.signaling();
            h.join(room, "Hana", hostToken);
            h.next("joined");

            h.sendMessage("setCaptions", "on", true);
            assertEquals("active", h.next("captionStatus").get("status").asText());
            Eventually.await(Duration.ofSeconds(10), "the bridge is attached to the room", () -> captioned(s) == 1);
            JsonNode stored = s.get("/api/v1/meetings/" + meeting.get("id").asText(), host).body();
            assertTrue(stored.get("settings").get("captions").asBoolean(), "the button is kept as the setting: " + stored);

            triton.stop();
            assertEquals("paused", h.next("captionStatus").get("status").asText());
            triton.restart();
            assertEquals("active", h.next("captionStatus").get("status").asText());

            h.sendMessage("setCaptions", "on", false);
            assertEquals("off", h.next("captionStatus").get("status").asText());
            Eventually.await(Duration.ofSeconds(10), "the bridge is detached", () -> captioned(s) == 0);

            // On again, then everyone leaves: the bridge lets the room go, and comes back with the next join.
            h.sendMessage("setCaptions", "on", true);
            assertEquals("active", h.next("captionStatus").get("status").asText());
            Eventually.await(Duration.ofSeconds(10), "the bridge is attached again", () -> captioned(s) == 1);
            // A leave, not a dropped socket: a dropped one keeps its seat for the reconnect grace.
            h.sendMessage("leave");
            h.close();
            Eventually.await(Duration.ofSeconds(10), "an empty room is not captioned", () -> captioned(s) == 0);
            RunningServer.Signaling back = s.signaling();
            back.join(room, "Hana", hostToken);
            back.next("joined");
            Eventually.await(Duration.ofSeconds(10), "the meeting's setting captions it again on the next join",
                    () -> captioned(s) == 1);
            assertEquals("active", back.next("captionStatus").get("status").asText());
        }
    }

    private static double captioned(RunningServer s) {
        try {
            return RunningServer.sample(s.metrics(), "parley_ai_captioned_rooms");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void badAiSettingsStopTheStartWithTheSettingsName() {
        // {the setting the message must name, the arguments...}
        for (String[] bad : new String[][] {
                {"ai-endpoints", "--ai-endpoints", "triton"}, {"ai-endpoints", "--ai-endpoints", "triton:99999"},
                {"ai-deadline", "--ai-endpoints", "127.0.0.1:8001", "--ai-deadline", "5"},
                {"ai-captions", "--ai-captions", "some"}, {"ai-asr-datatype", "--ai-asr-datatype", "FP16"},
                {"ai-asr-shape", "--ai-asr-shape", "[1,x]"},
                {"ai-max-in-flight", "--ai-max-in-flight", "0", "--ai-endpoints", "127.0.0.1:8001"},
                {"ai-vad-hangover", "--ai-vad-hangover", "10ms"}}) {
            String[] args = Arrays.copyOfRange(bad, 1, bad.length);
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> ServerConfig.from(Settings.resolve(args, java.util.Map.of())), String.join(" ", args));
            assertTrue(e.getMessage().contains(bad[0]), e.getMessage());
        }
        ServerConfig off = ServerConfig.from(Settings.resolve(new String[0], java.util.Map.of()));
        assertTrue(!off.ai().enabled(), "AI is off by default");
        ServerConfig on = ServerConfig.from(Settings.resolve(new String[] {"--ai-endpoints", "127.0.0.1:8001,[::1]:8001",
                "--ai-captions", "all"}, java.util.Map.of()));
        assertEquals(2, on.ai().bridge().endpoints().size());
        assertTrue(on.ai().allRooms());
    }

    private static void expectProblem(RunningServer s, String token, String type, byte[] body, int status, String problem)
            throws Exception {
        HttpResponse<String> r = upload(s, "/api/v1/ai/asr", token, type, body);
        assertEquals(status, r.statusCode(), r.body());
        assertEquals("application/problem+json", r.headers().firstValue("content-type").orElse("").split(";")[0]);
        assertTrue(RunningServer.JSON.readTree(r.body()).get("type").asText().endsWith(problem), r.body());
    }

    private static HttpResponse<String> upload(RunningServer s, String path, String token, String type, byte[] body)
            throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(s.base + path)).header("authorization", "Bearer " + token)
                .header("content-type", type).timeout(Duration.ofSeconds(15))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(RunningServer s, String path, String token) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(s.base + path)).header("authorization", "Bearer " + token)
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A WAV of a 300 Hz tone at {@code amplitude} (0 for silence), in the given format tag and sample size. */
    static byte[] wav(int rate, int channels, int bits, int formatTag, int millis, double amplitude) {
        int frames = rate * millis / 1000;
        int bytesPerSample = Math.max(1, bits / 8);
        int data = frames * channels * bytesPerSample;
        ByteBuffer b = ByteBuffer.allocate(44 + data).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(36 + data).put("WAVE".getBytes());
        b.put("fmt ".getBytes()).putInt(16).putShort((short) formatTag).putShort((short) channels).putInt(rate)
                .putInt(rate * channels * bytesPerSample).putShort((short) (channels * bytesPerSample))
                .putShort((short) bits);
        b.put("data".getBytes()).putInt(data);
        for (int i = 0; i < frames; i++) {
            double v = amplitude * Math.sin(2 * Math.PI * 300 * i / rate);
            for (int c = 0; c < channels; c++) {
                if (bytesPerSample == 2) {
                    b.putShort((short) Math.round(v * 32767));
                } else {
                    b.put((byte) Math.round(v * 127));
                }
            }
        }
        return b.array();
    }
}
