package dev.parley.ai;

import static dev.parley.testkit.Eventually.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.ai.audio.Pcm16k;
import dev.parley.ai.audio.TestSignals;
import dev.parley.ai.standin.KserveStandIn;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The generated KServe v2 client over real gRPC channels to {@link KserveStandIn}s on 127.0.0.1: the tensor
 * contract, round robin over two endpoints, an endpoint dying and coming back, the circuit breaker, deadlines.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TritonClientTest {
    private static final ModelContract ASR = new ModelContract("whisper", "2", "AUDIO", TensorType.FP32,
            List.of(1L, -1L), "SAMPLE_RATE", "TEXT", "CONFIDENCE");
    private static final ModelContract EMOTION = ModelContract.emotionDefaults();
    private static final AiListener QUIET = segment -> {};

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    private KserveStandIn standIn(ModelContract asr, ModelContract emotion) {
        KserveStandIn s = KserveStandIn.start(asr, emotion);
        open.add(s);
        return s;
    }

    private AiBridge bridge(AiSettings settings) {
        AiBridge b = AiBridge.start(settings, QUIET);
        open.add(b);
        return b;
    }

    private static AiSettings settings(ModelContract asr, KserveStandIn... standIns) {
        return AiSettings.defaults(List.of(standIns).stream().map(KserveStandIn::endpoint).toList(), asr)
                .withHealthInterval(Duration.ofMillis(200))
                .withBreaker(3, Duration.ofMillis(600));
    }

    /** The first call of a fresh JVM and channel loads classes and connects: on a busy machine it can be slow. */
    private static void warmUp(AiBridge bridge) {
        await(Duration.ofSeconds(30), "a first call succeeds", () -> {
            try {
                bridge.recognize(speech(200));
                return true;
            } catch (AiUnavailableException e) {
                return false;
            }
        });
    }

    private static Pcm16k speech(int millis) {
        return Pcm16k.of(TestSignals.speechLike(16_000, millis, millis));
    }

    @Test
    void eachDatatypeFollowsTheContractAndTheAnswerIsRead() {
        List<ModelContract> contracts = List.of(ASR,
                new ModelContract("asr16", "", "PCM", TensorType.INT16, List.of(-1L), "", "TRANSCRIPT", ""),
                new ModelContract("asrwav", "", "WAV", TensorType.BYTES, List.of(1L, 1L), "RATE", "TEXT", ""));
        for (ModelContract c : contracts) {
            KserveStandIn triton = standIn(c, EMOTION);
            AiBridge bridge = bridge(settings(c, triton).withEmotion(EMOTION));
            warmUp(bridge);
            triton.clearReceived();
            triton.scriptTexts("hello from " + c.name());
            Pcm16k audio = speech(700);
            AsrResult r = bridge.recognize(audio);
            assertEquals("hello from " + c.name(), r.text());
            assertEquals(c.name(), r.model());
            assertEquals(triton.endpoint().toString(), r.endpoint());
            if (c.scoreOutput().isEmpty()) {
                assertTrue(Double.isNaN(r.confidence()));
            } else {
                assertEquals(0.9, r.confidence(), 1e-6);
            }
            KserveStandIn.Received got = triton.received(c.name()).get(0);
            short[] sent = audio.samples();
            short[] arrived = got.samples();
            assertEquals(sent.length, arrived.length, "every sample arrives");
            for (int i = 0; i < sent.length; i++) {
                assertEquals(sent[i], arrived[i], 1, "sample " + i);
            }

            EmotionResult e = bridge.emotion(audio);
            assertEquals(List.of("neutral", "happy", "sad"), e.scores().stream().map(EmotionScore::label).toList());
            assertEquals(0.7, e.scores().get(0).score(), 1e-6);
            assertEquals(List.of(), triton.violations());
        }
    }

    @Test
    void aRequestOffTheContractIsRefusedAndRecordedWithoutOpeningTheBreaker() {
        KserveStandIn triton = standIn(new ModelContract("whisper", "2", "WAVEFORM", TensorType.FP32,
                List.of(1L, -1L), "SAMPLE_RATE", "TEXT", "CONFIDENCE"), null);
        AiBridge bridge = bridge(settings(ASR, triton));
        for (int i = 0; i < 5; i++) {
            AiUnavailableException e = assertThrows(AiUnavailableException.class, () -> bridge.recognize(speech(300)));
            assertEquals(AiUnavailableException.Reason.FAILED, e.reason());
            assertTrue(e.getMessage().contains("INVALID_ARGUMENT"), e.getMessage());
        }
        assertEquals(5, triton.violations().size());
        assertTrue(triton.violations().get(0).contains("AUDIO"), triton.violations().toString());
        assertEquals(BreakerState.CLOSED, bridge.health().endpoints().get(0).breaker(),
                "a refused request says nothing about the endpoint's health");
    }

    @Test
    void callsAreBalancedAndMoveToTheLiveEndpointWhenOneDies() {
        KserveStandIn a = standIn(ASR, null);
        KserveStandIn b = standIn(ASR, null);
        AiBridge bridge = bridge(settings(ASR, a, b));
        warmUp(bridge);
        warmUp(bridge);
        a.clearReceived();
        b.clearReceived();
        for (int i = 0; i < 10; i++) {
            bridge.recognize(speech(200));
        }
        assertEquals(5, a.received().size(), "round robin");
        assertEquals(5, b.received().size(), "round robin");

        a.stop();
        for (int i = 0; i < 10; i++) {
            AsrResult r = bridge.recognize(speech(200));
            assertEquals(b.endpoint().toString(), r.endpoint(), "every call succeeds on the live endpoint");
        }
        assertEquals(15, b.received().size());
        await(Duration.ofSeconds(5), "the dead endpoint is seen as not ready", () -> {
            EndpointHealth h = bridge.health().endpoints().get(0);
            return h.checked() && !h.ready();
        });
        assertTrue(bridge.health().available(), "the other endpoint still serves");

        a.restart();
        await(Duration.ofSeconds(10), "the restarted endpoint is ready again", () -> bridge.health().endpoints().get(0).usable());
        await(Duration.ofSeconds(10), "traffic returns to the restarted endpoint", () -> {
            bridge.recognize(speech(200));
            return a.received().size() > 5;
        });
    }

    @Test
    void theBreakerOpensOnDeadlinesRefusesFastAndClosesAfterAProbe() {
        KserveStandIn triton = standIn(ASR, null);
        AiBridge bridge = bridge(settings(ASR, triton).withDeadline(Duration.ofMillis(200)).withBreaker(2, Duration.ofMillis(800)));
        warmUp(bridge);
        await(Duration.ofSeconds(5), "the warm-up's failures, if any, no longer hold the breaker open",
                () -> bridge.health().endpoints().get(0).breaker() == BreakerState.CLOSED);
        long openingsBefore = bridge.metrics().breakerOpenings();
        triton.setDelay(Duration.ofSeconds(2));
        for (int i = 0; i < 2; i++) {
            long start = System.nanoTime();
            AiUnavailableException e = assertThrows(AiUnavailableException.class, () -> bridge.recognize(speech(200)));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(AiUnavailableException.Reason.DEADLINE_EXCEEDED, e.reason());
            assertTrue(millis < 1500, "the deadline bounds the call: " + millis + " ms");
        }
        assertEquals(BreakerState.OPEN, bridge.health().endpoints().get(0).breaker());
        int reached = triton.calls();
        AiUnavailableException open = assertThrows(AiUnavailableException.class, () -> bridge.recognize(speech(200)));
        assertEquals(AiUnavailableException.Reason.CIRCUIT_OPEN, open.reason());
        assertEquals(reached, triton.calls(), "an open breaker refuses without calling");
        assertEquals(openingsBefore + 1, bridge.metrics().breakerOpenings());

        triton.setDelay(Duration.ZERO);
        await(Duration.ofSeconds(5), "the breaker lets a probe through after its open period", () -> {
            try {
                bridge.recognize(speech(200));
                return true;
            } catch (AiUnavailableException e) {
                return false;
            }
        });
        assertEquals(BreakerState.CLOSED, bridge.health().endpoints().get(0).breaker());
        assertTrue(bridge.metrics().callFailures() >= 3);
    }

    @Test
    void anEndpointOrModelNotReadyIsNotCalled() {
        KserveStandIn triton = standIn(ASR, EMOTION);
        AiBridge bridge = bridge(settings(ASR, triton).withEmotion(EMOTION));
        await(Duration.ofSeconds(5), "the first health check answered", () -> bridge.health().endpoints().get(0).checked());
        triton.setModelReady("emotion", false);
        await(Duration.ofSeconds(5), "ModelReady false is seen",
                () -> !bridge.health().endpoints().get(0).modelsReady().get("emotion"));
        assertEquals(AiUnavailableException.Reason.NO_HEALTHY_ENDPOINT,
                assertThrows(AiUnavailableException.class, () -> bridge.emotion(speech(200))).reason());

        triton.setModelReady("emotion", true);
        triton.setServerReady(false);
        await(Duration.ofSeconds(5), "ServerReady false is seen", () -> !bridge.health().endpoints().get(0).ready());
        int reached = triton.calls();
        assertEquals(AiUnavailableException.Reason.NO_HEALTHY_ENDPOINT,
                assertThrows(AiUnavailableException.class, () -> bridge.recognize(speech(200))).reason());
        assertEquals(reached, triton.calls());
        EndpointHealth h = bridge.health().endpoints().get(0);
        assertFalse(h.ready());
        assertEquals(Map.of("whisper", false, "emotion", false), h.modelsReady());
    }

    @Test
    void infoDescribesTheContract() {
        KserveStandIn triton = standIn(ASR, null);
        AiBridge bridge = bridge(settings(ASR, triton));
        AiInfo info = bridge.info();
        assertEquals(List.of(triton.endpoint().toString()), info.endpoints());
        assertEquals(ASR, info.asr());
        assertEquals(16_000, info.sampleRate());
        assertArrayEquals(new long[] {1, 320}, ASR.shapeFor(320));
    }
}
