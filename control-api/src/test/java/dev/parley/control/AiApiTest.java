package dev.parley.control;

import static dev.parley.control.AuthApiTest.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The one-shot AI endpoints over real HTTP, with a stand-in analysis that reads the uploads' headers: good WAV and
 * Ogg/Opus files are answered; bad input (not audio, truncated, oversized, wrong sample format, silent) gets a
 * clear problem and never reaches the speech service; callers need an account or an API key; a server without AI
 * and a service that is down answer 503 with Retry-After.
 */
class AiApiTest {
    private static final int MAX_UPLOAD = 64 * 1024;
    private static final HeaderReadingAnalysis SPEECH = new HeaderReadingAnalysis(MAX_UPLOAD);
    private static ApiFixture api;
    private static String user;

    @BeforeAll
    static void start() throws Exception {
        api = ApiFixture.withAi("h2", LiveRooms.NONE, RoomCaptioner.NONE, SPEECH);
        user = api.register("integrator").accessToken();
    }

    @AfterAll
    static void stop() {
        api.close();
    }

    /** A RIFF/WAVE file of 16-bit samples (or {@code bits}-bit with format {@code format}). */
    static byte[] wav(int rate, int channels, int bits, int format, short[] samples) {
        int dataBytes = samples.length * 2;
        ByteBuffer b = ByteBuffer.allocate(44 + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + dataBytes).put("WAVE".getBytes(StandardCharsets.US_ASCII));
        b.put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16).putShort((short) format).putShort((short) channels)
                .putInt(rate).putInt(rate * channels * bits / 8).putShort((short) (channels * bits / 8)).putShort((short) bits);
        b.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(dataBytes);
        for (short s : samples) {
            b.putShort(s);
        }
        return b.array();
    }

    /** {@code ms} of a 440 Hz tone at 16 kHz mono. */
    static byte[] tone(int ms) {
        short[] s = new short[16 * ms];
        for (int i = 0; i < s.length; i++) {
            s[i] = (short) (8000 * Math.sin(2 * Math.PI * 440 * i / 16000.0));
        }
        return wav(16000, 1, 16, 1, s);
    }

    /** An Ogg stream's first page (OpusHead, pre-skip 312) and a last page whose granule position ends at {@code ms}. */
    static byte[] ogg(int ms) {
        ByteBuffer b = ByteBuffer.allocate(47 + 27 + 1 + 3).order(ByteOrder.LITTLE_ENDIAN);
        b.put("OggS".getBytes(StandardCharsets.US_ASCII)).put((byte) 0).put((byte) 2).putLong(0).putInt(1).putInt(0).putInt(0)
                .put((byte) 1).put((byte) 19);
        b.put("OpusHead".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 1).putShort((short) 312).putInt(48000)
                .putShort((short) 0).put((byte) 0);
        b.put("OggS".getBytes(StandardCharsets.US_ASCII)).put((byte) 0).put((byte) 4).putLong(312 + 48L * ms).putInt(1)
                .putInt(2).putInt(0).put((byte) 1).put((byte) 3).put(new byte[] {1, 2, 3});
        return b.array();
    }

    private static ApiFixture.Res upload(String path, byte[] body, String type, String auth) {
        HttpRequest.Builder b = HttpRequest.newBuilder(api.uri(path)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (type != null) {
            b.header("Content-Type", type);
        }
        if (auth != null) {
            b.header("Authorization", auth);
        }
        return api.exchange(b.build());
    }

    private static String bearer() {
        return "Bearer " + user;
    }

    @Test
    void recognizesWavAndOggOpusUploads() {
        int before = SPEECH.sent.get();
        ApiFixture.Res asr = upload("/api/v1/ai/asr", tone(1500), "audio/wav", bearer());
        assertEquals(200, asr.status(), asr.text());
        assertEquals("heard 1500 ms", asr.json().path("text").asText());
        assertEquals(1500, asr.json().path("durationMs").asLong());
        assertEquals("stand-in-asr", asr.json().path("model").asText());

        ApiFixture.Res emotion = upload("/api/v1/ai/emotion", tone(250), "audio/x-wav; codecs=1", bearer());
        assertEquals(200, emotion.status(), emotion.text());
        assertEquals("neutral", emotion.json().path("label").asText());
        assertEquals(0.3, emotion.json().path("scores").path("happy").asDouble(), 1e-9);
        assertEquals(250, emotion.json().path("durationMs").asLong());

        ApiFixture.Res opus = upload("/api/v1/ai/asr", ogg(2000), "audio/ogg", bearer());
        assertEquals(200, opus.status(), opus.text());
        assertEquals(2000, opus.json().path("durationMs").asLong());
        assertEquals(before + 3, SPEECH.sent.get());
    }

    @Test
    void badUploadsGetAClearProblemAndNeverReachTheService() {
        int before = SPEECH.sent.get();
        byte[] good = tone(500);
        assertProblem(upload("/api/v1/ai/asr", "hello".getBytes(StandardCharsets.UTF_8), "audio/wav", bearer()), 415, "not-audio");
        assertProblem(upload("/api/v1/ai/asr", good, "application/json", bearer()), 415, "not-audio");
        assertProblem(upload("/api/v1/ai/asr", good, null, bearer()), 415, "not-audio");
        assertProblem(upload("/api/v1/ai/asr", good, "audio/mpeg", bearer()), 415, "not-audio");
        assertProblem(upload("/api/v1/ai/asr", ogg(100), "audio/wav", bearer()), 415, "not-audio");
        assertProblem(upload("/api/v1/ai/asr", new byte[0], "audio/wav", bearer()), 400, "bad-audio");
        assertProblem(upload("/api/v1/ai/asr", java.util.Arrays.copyOf(good, good.length - 100), "audio/wav", bearer()),
                400, "bad-audio");
        assertProblem(upload("/api/v1/ai/asr", java.util.Arrays.copyOf(good, 30), "audio/wav", bearer()), 400, "bad-audio");
        assertProblem(upload("/api/v1/ai/emotion", java.util.Arrays.copyOf(ogg(100), 60), "audio/ogg", bearer()), 400,
                "bad-audio");
        assertProblem(upload("/api/v1/ai/asr", wav(16000, 1, 8, 1, new short[800]), "audio/wav", bearer()), 422,
                "unsupported-audio-format");
        assertProblem(upload("/api/v1/ai/asr", wav(16000, 1, 32, 3, new short[800]), "audio/wav", bearer()), 422,
                "unsupported-audio-format");
        assertProblem(upload("/api/v1/ai/asr", wav(16000, 1, 16, 1, new short[16000]), "audio/wav", bearer()), 422,
                "no-speech");
        assertProblem(upload("/api/v1/ai/asr", ogg(61_000), "audio/ogg", bearer()), 413, "payload-too-large");
        assertEquals(before, SPEECH.sent.get(), "nothing reached the speech service");
    }

    @Test
    void uploadsOverTheCapAreRefusedWhileTheyAreRead() {
        int before = SPEECH.sent.get();
        byte[] big = tone(3000); // 96 000 bytes of samples: over the 64 KiB cap
        assertTrue(big.length > MAX_UPLOAD);
        ApiFixture.Res declared = upload("/api/v1/ai/asr", big, "audio/wav", bearer());
        assertProblem(declared, 413, "payload-too-large");
        // Without a Content-Length (chunked), the cap is found while reading.
        ApiFixture.Res streamed = api.exchange(HttpRequest.newBuilder(api.uri("/api/v1/ai/asr"))
                .header("Content-Type", "audio/wav").header("Authorization", bearer())
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))).build());
        assertProblem(streamed, 413, "payload-too-large");
        assertEquals(before, SPEECH.sent.get());
        assertEquals(200, upload("/api/v1/ai/asr", tone(2000), "audio/wav", bearer()).status(), "just under the cap is fine");
    }

    @Test
    void callersNeedAnAccountOrAnActiveApiKey() {
        assertProblem(upload("/api/v1/ai/asr", tone(100), "audio/wav", null), 401, "unauthorized");
        assertProblem(upload("/api/v1/ai/asr", tone(3000), "audio/wav", null), 401, "unauthorized");
        assertProblem(api.get("/api/v1/ai/info", null), 401, "unauthorized");
        ApiFixture.Res made = api.post("/api/v1/api-keys", Map.of("name", "transcriber"), api.admin().accessToken());
        assertEquals(201, made.status(), made.text());
        String id = made.json().path("id").asText();
        String secret = made.json().path("secret").asText();
        String basic = "Basic " + Base64.getEncoder().encodeToString((id + ":" + secret).getBytes(StandardCharsets.UTF_8));
        assertEquals(200, upload("/api/v1/ai/asr", tone(100), "audio/wav", basic).status());
        String wrong = "Basic " + Base64.getEncoder().encodeToString((id + ":x" + secret).getBytes(StandardCharsets.UTF_8));
        ApiFixture.Res refused = upload("/api/v1/ai/asr", tone(100), "audio/wav", wrong);
        assertProblem(refused, 401, "unauthorized");
        assertTrue(refused.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"));
        assertProblem(upload("/api/v1/ai/asr", tone(100), "audio/wav", "Basic %%%"), 401, "unauthorized");
        assertEquals(204, api.delete("/api/v1/api-keys/" + id, api.admin().accessToken()).status());
        assertProblem(upload("/api/v1/ai/asr", tone(100), "audio/wav", basic), 401, "unauthorized");
    }

    @Test
    void infoAndHealthSayWhatIsServedAndWhetherItAnswers() {
        ApiFixture.Res info = api.get("/api/v1/ai/info", user);
        assertEquals(200, info.status(), info.text());
        JsonNode j = info.json();
        assertTrue(j.path("enabled").asBoolean());
        assertEquals(MAX_UPLOAD, j.path("maxUploadBytes").asInt());
        assertEquals("stand-in-asr", j.path("models").get(0).asText());
        assertEquals(200, api.get("/api/v1/ai/health", user).status());
    }

    @Test
    void aServiceThatIsDownAnswers503WithRetryAfter() {
        SPEECH.serviceDown = true;
        try {
            ApiFixture.Res r = upload("/api/v1/ai/asr", tone(300), "audio/wav", bearer());
            assertProblem(r, 503, "ai-unavailable");
            assertEquals("3", r.headers().firstValue("Retry-After").orElse(null));
            ApiFixture.Res health = api.get("/api/v1/ai/health", user);
            assertProblem(health, 503, "ai-unavailable");
            assertTrue(health.headers().firstValue("Retry-After").isPresent());
            // Bad input is still refused as such.
            assertProblem(upload("/api/v1/ai/asr", "x".getBytes(StandardCharsets.UTF_8), "audio/wav", bearer()), 415,
                    "not-audio");
        } finally {
            SPEECH.serviceDown = false;
        }
    }

    @Test
    void aServerWithoutAiAnswers503AiDisabled() {
        ApiFixture plain = ApiFixture.shared("h2");
        String token = plain.register("no-ai").accessToken();
        for (ApiFixture.Res r : new ApiFixture.Res[] {
                plain.get("/api/v1/ai/info", token), plain.get("/api/v1/ai/health", token),
                plain.send("POST", "/api/v1/ai/asr", tone(100), "audio/wav", token),
                plain.send("POST", "/api/v1/ai/emotion", tone(100), "audio/wav", token)}) {
            assertProblem(r, 503, "ai-disabled");
            assertTrue(r.headers().firstValue("Retry-After").isPresent());
        }
    }
}
