package dev.parley.ai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.ai.audio.VadSettings;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Settings and contracts: accepted forms, and refusals whose message names the setting and what is allowed. */
class AiSettingsTest {
    private static final List<AiSettings.Endpoint> ONE = List.of(new AiSettings.Endpoint("127.0.0.1", 8001));

    private static String refusal(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void endpointsParseFromTheSettingsForm() {
        assertEquals(List.of(new AiSettings.Endpoint("triton-a", 8001), new AiSettings.Endpoint("::1", 9001)),
                AiSettings.Endpoint.parseList("triton-a:8001, [::1]:9001"));
        assertEquals("[::1]:9001", AiSettings.Endpoint.parse("[::1]:9001").toString());
        assertTrue(refusal(() -> AiSettings.Endpoint.parse("triton")).contains("ai-endpoints"));
        assertTrue(refusal(() -> AiSettings.Endpoint.parse("triton:http")).contains("numeric port"));
        assertTrue(refusal(() -> AiSettings.Endpoint.parse("triton:70000")).contains("65535"));
        assertTrue(refusal(() -> AiSettings.Endpoint.parse("::1:8001")).contains("brackets"));
        assertTrue(refusal(() -> AiSettings.defaults(List.of(), ModelContract.asrDefaults())).contains("at least one"));
        assertTrue(refusal(() -> AiSettings.defaults(List.of(ONE.get(0), ONE.get(0)), ModelContract.asrDefaults()))
                .contains("twice"));
    }

    @Test
    void limitsNameTheirSetting() {
        AiSettings ok = AiSettings.defaults(ONE, ModelContract.asrDefaults());
        assertNull(ok.emotion());
        assertTrue(refusal(() -> ok.withDeadline(Duration.ofMillis(10))).startsWith("ai-deadline"));
        assertTrue(refusal(() -> ok.withBreaker(0, Duration.ofSeconds(1))).startsWith("ai-breaker-failures"));
        assertTrue(refusal(() -> ok.withQueues(0, 10)).startsWith("ai-max-in-flight"));
        assertTrue(refusal(() -> ok.withQueues(2, 0)).startsWith("ai-queue-segments"));
        assertTrue(refusal(() -> ok.withEmotion(new ModelContract("emo", "", "AUDIO", TensorType.FP32,
                List.of(1L, -1L), "", "LABELS", ""))).startsWith("ai-emotion-scores-output"));
        assertTrue(refusal(() -> new VadSettings(10, -50, Duration.ofMillis(60), Duration.ofMillis(400),
                Duration.ofMillis(200), Duration.ofSeconds(20), Duration.ofSeconds(15))).startsWith("ai-segment-min"));
    }

    @Test
    void contractsCheckTheirShapeAndNames() {
        assertEquals(List.of(1L, -1L), ModelContract.parseShape("[1, -1]"));
        assertEquals(TensorType.BYTES, TensorType.parse("bytes"));
        assertTrue(refusal(() -> TensorType.parse("FP16")).contains("FP32, INT16 or BYTES"));
        assertTrue(refusal(() -> ModelContract.parseShape("[1,x]")).contains("[1,-1]"));
        assertTrue(refusal(() -> new ModelContract("asr", "", "AUDIO", TensorType.FP32, List.of(1L, 1L), "", "TEXT",
                "")).contains("exactly one -1"));
        assertTrue(refusal(() -> new ModelContract("asr", "", "AUDIO", TensorType.FP32, List.of(2L, -1L), "", "TEXT",
                "")).contains("only 1 and one -1"));
        assertTrue(refusal(() -> new ModelContract("asr", "latest", "AUDIO", TensorType.FP32, List.of(-1L), "",
                "TEXT", "")).contains("version"));
        assertTrue(refusal(() -> new ModelContract("asr", "", "AUDIO", TensorType.FP32, List.of(-1L), "", "AUDIO",
                "")).contains("differ"));
        assertTrue(refusal(() -> new ModelContract("a sr", "", "AUDIO", TensorType.FP32, List.of(-1L), "", "TEXT",
                "")).contains("model name"));
        ModelContract wav = new ModelContract("asr", "", "WAV", TensorType.BYTES, List.of(-1L), "", "TEXT", "");
        assertEquals(1, wav.shapeFor(16_000)[0], "a BYTES input is one element");
    }
}
