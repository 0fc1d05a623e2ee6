package dev.parley.ai;

import static dev.parley.testkit.Eventually.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.ai.audio.TestSignals;
import dev.parley.ai.standin.KserveStandIn;
import dev.parley.loadtest.SyntheticPeer;
import dev.parley.sfu.Participant;
import dev.parley.sfu.ParticipantListener;
import dev.parley.sfu.SfuConfig;
import dev.parley.sfu.SfuServer;
import dev.parley.sfu.media.DropReason;
import dev.parley.sfu.packet.PacketBuffer;
import dev.parley.sfu.srtp.SrtpProfile;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The whole bridge on a real {@link SfuServer} on 127.0.0.1: a synthetic publisher sends real Opus (encoded by
 * concentus) over DTLS-SRTP, the bridge taps the room, segments the speech and sends it to a {@link KserveStandIn};
 * the stand-in must receive one segment per utterance of the right length, the listener must get the captions with
 * the speaker's name; when the stand-in stops, captions pause and segments are counted as dropped while the tap keeps
 * up; when it comes back, captions resume.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AiBridgeTest {
    private static final int SSRC = 0x0A1B2C3D;
    private static final ModelContract ASR = new ModelContract("asr", "", "AUDIO", TensorType.FP32, List.of(1L, -1L),
            "SAMPLE_RATE", "TEXT", "CONFIDENCE");
    private static final ModelContract EMOTION = ModelContract.emotionDefaults();

    private SfuServer sfu;
    private KserveStandIn triton;
    private AiBridge bridge;
    private SyntheticPeer publisher;
    private final List<TranscriptSegment> transcripts = new CopyOnWriteArrayList<>();
    private final List<EmotionSample> emotions = new CopyOnWriteArrayList<>();
    private final List<CaptionStatus> statuses = new CopyOnWriteArrayList<>();
    private int seq;
    private long timestamp;
    private int sent;

    @BeforeEach
    void start() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        sfu = SfuServer.start(new SfuConfig(loopback, 0, List.of(loopback), Duration.ofSeconds(10), 10));
        triton = KserveStandIn.start(ASR, EMOTION);
        AiSettings settings = AiSettings.defaults(List.of(triton.endpoint()), ASR).withEmotion(EMOTION)
                .withHealthInterval(Duration.ofMillis(200)).withBreaker(2, Duration.ofMillis(500))
                .withDeadline(Duration.ofSeconds(3));
        bridge = AiBridge.start(settings, new AiListener() {
            @Override
            public void onTranscript(TranscriptSegment segment) {
                transcripts.add(segment);
            }

            @Override
            public void onEmotion(EmotionSample sample) {
                emotions.add(sample);
            }

            @Override
            public void onStatus(String meetingId, CaptionStatus status) {
                statuses.add(status);
            }
        });
    }

    @AfterEach
    void stop() {
        if (publisher != null) {
            publisher.close();
        }
        bridge.close();
        triton.close();
        sfu.close();
    }

    private void publish(String room) throws Exception {
        publisher = SyntheticPeer.open("ada-pub", (PacketBuffer p, long at) -> {});
        Participant ada = sfu.join(room, "Ada", new ParticipantListener.Ignoring()).get(5, TimeUnit.SECONDS);
        publisher.acceptAnswer(ada.publish(publisher.publisherOffer(SSRC, SSRC + 1)).get(5, TimeUnit.SECONDS));
        publisher.connect(Duration.ofSeconds(20), Duration.ofMillis(500), SrtpProfile.AEAD_AES_128_GCM);
    }

    /** Sends 48 kHz audio as 20 ms Opus packets, paced in real time as a browser would. */
    private void speak(short[] pcm48) {
        List<byte[]> packets = TestSignals.opusPackets(pcm48);
        long start = System.nanoTime();
        for (int i = 0; i < packets.size(); i++) {
            LockSupport.parkNanos(start + i * 20_000_000L - System.nanoTime());
            assertTrue(publisher.sendRtp(SSRC, SyntheticPeer.OPUS_PAYLOAD_TYPE, seq++ & 0xFFFF, (int) timestamp,
                    packets.get(i)));
            timestamp += 960;
            sent++;
        }
    }

    private static short[] quiet(int millis, long seed) {
        return TestSignals.noise(-65, 48_000, millis, seed);
    }

    private static short[] utterance(int millis, long seed) {
        return TestSignals.speechLike(48_000, millis, seed);
    }

    @Test
    void speechBecomesCaptionsAndAStoppedTritonPausesThemUntilItReturns() throws Exception {
        MeetingCaptioning captioning = bridge.attach(sfu.room("standup"), "meeting-1");
        await(Duration.ofSeconds(10), "the bridge reaches Triton", () -> bridge.health().available());
        publish("standup");
        triton.scriptTexts("good morning everyone", "the build is green");

        speak(TestSignals.concat(quiet(1000, 1), utterance(1200, 2), quiet(1000, 3), utterance(800, 4),
                quiet(1000, 5)));
        await(Duration.ofSeconds(20), "both sentences are captioned", () -> transcripts.size() == 2);

        List<KserveStandIn.Received> segments = triton.received("asr");
        assertEquals(2, segments.size(), "one segment per utterance, silence not sent");
        // Each segment is the utterance with 200 ms of pre-roll before and after it.
        assertEquals(1600, segments.get(0).durationMillis(), 160);
        assertEquals(1200, segments.get(1).durationMillis(), 160);
        TranscriptSegment first = transcripts.get(0);
        assertEquals("meeting-1", first.meetingId());
        assertEquals("Ada", first.participantName());
        assertEquals("good morning everyone", first.text());
        assertEquals(0.9, first.confidence(), 1e-6);
        assertEquals("the build is green", transcripts.get(1).text());
        assertTrue(first.endMillis() - first.startMillis() >= 1400, first.toString());
        assertEquals(2200, transcripts.get(1).startMillis() - first.startMillis(), 200, "the timeline follows the audio");
        await(Duration.ofSeconds(20), "emotion arrives for both segments", () -> emotions.size() == 2);
        assertEquals("neutral", emotions.get(0).scores().get(0).label());
        assertEquals(List.of(), triton.violations());
        assertEquals(CaptionStatus.ACTIVE, captioning.status());

        // Triton dies mid-meeting: captions pause; speech goes on and its segments are dropped, counted.
        triton.stop();
        await(Duration.ofSeconds(10), "captions pause", () -> captioning.status() == CaptionStatus.PAUSED);
        speak(TestSignals.concat(utterance(1000, 6), quiet(1000, 7)));
        await(Duration.ofSeconds(10), "the segment spoken meanwhile is dropped and counted",
                () -> bridge.metrics().drops(AiDropReason.NO_HEALTHY_ENDPOINT)
                        + bridge.metrics().drops(AiDropReason.CIRCUIT_OPEN) == 1);
        assertEquals(2, transcripts.size());

        // It comes back: captions resume.
        triton.restart();
        await(Duration.ofSeconds(15), "captions are active again", () -> captioning.status() == CaptionStatus.ACTIVE);
        triton.scriptTexts("we are back");
        speak(TestSignals.concat(utterance(900, 8), quiet(1000, 9)));
        await(Duration.ofSeconds(20), "the next sentence is captioned", () -> transcripts.size() == 3);
        assertEquals("we are back", transcripts.get(2).text());
        assertEquals(List.of(CaptionStatus.ACTIVE, CaptionStatus.PAUSED, CaptionStatus.ACTIVE), statuses);

        // Nothing blocked the tap: it handed over every packet the SFU accepted.
        long refused = sfu.counters().droppedPackets(DropReason.NOT_CONNECTED);
        assertEquals(0, captioning.tapDroppedPackets());
        assertEquals(4, captioning.segments());
        assertTrue(sent - refused > 0);

        captioning.close();
        assertEquals(4, bridge.metrics().segments());
        assertEquals(1, bridge.metrics().drops(AiDropReason.NO_HEALTHY_ENDPOINT)
                + bridge.metrics().drops(AiDropReason.CIRCUIT_OPEN));
    }

    @Test
    void aSlowTritonNeverBlocksTheTapAndAFullQueueDropsSegments() throws Exception {
        // The model takes longer than all five utterances together, so the first call is still running when the
        // last segment is cut, however slowly a loaded machine paces the speech: three segments find the queue full.
        triton.setDelay(Duration.ofSeconds(10));
        bridge.close();
        AiSettings tight = AiSettings.defaults(List.of(triton.endpoint()), ASR)
                .withHealthInterval(Duration.ofMillis(200)).withQueues(1, 1).withDeadline(Duration.ofSeconds(30));
        bridge = AiBridge.start(tight, segment -> transcripts.add(segment));
        MeetingCaptioning captioning = bridge.attach(sfu.room("busy"), "meeting-2");
        publish("busy");
        // Five short utterances in 6 s against a model taking 10 s each, one call slot and a queue of one.
        short[][] parts = new short[11][];
        parts[0] = quiet(1000, 20);
        for (int i = 0; i < 5; i++) {
            parts[1 + 2 * i] = utterance(500, 30 + i);
            parts[2 + 2 * i] = quiet(600, 40 + i);
        }
        speak(TestSignals.concat(parts));
        await(Duration.ofSeconds(10), "all five segments were cut", () -> captioning.segments() == 5);
        assertTrue(bridge.metrics().drops(AiDropReason.QUEUE_FULL) >= 2,
                "segments beyond the queue are dropped: " + bridge.metrics().drops(AiDropReason.QUEUE_FULL));
        assertEquals(0, captioning.tapDroppedPackets(), "the tap never waited for Triton");
        await(Duration.ofSeconds(45), "every segment is captioned or counted as dropped",
                () -> transcripts.size() + droppedSegments() == 5);
        assertEquals(bridge.metrics().drops(AiDropReason.QUEUE_FULL), droppedSegments(),
                "only the queue dropped segments: the queued ones were captioned, however slowly; drops "
                        + java.util.Arrays.stream(AiDropReason.values()).map(r -> r + "=" + bridge.metrics().drops(r))
                                .toList() + ", health " + bridge.health());
    }

    private long droppedSegments() {
        long sum = 0;
        for (AiDropReason r : AiDropReason.values()) {
            sum += bridge.metrics().drops(r);
        }
        return sum;
    }

}
