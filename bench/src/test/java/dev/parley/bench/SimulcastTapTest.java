package dev.parley.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.parley.bench.SimulcastForwardingTest.Publisher;
import dev.parley.bench.SimulcastForwardingTest.Received;
import dev.parley.sfu.LeaveReason;
import dev.parley.sfu.Participant;
import dev.parley.sfu.ParticipantListener;
import dev.parley.sfu.SfuConfig;
import dev.parley.sfu.SfuServer;
import dev.parley.sfu.rtp.Vp8Payload;
import dev.parley.sfu.srtp.SrtpProfile;
import dev.parley.sfu.srtp.SrtpSession;
import dev.parley.sfu.tap.TapOptions;
import dev.parley.sfu.tap.TapPacket;
import dev.parley.sfu.tap.TappedTrack;
import dev.parley.sfu.tap.TrackRemoval;
import dev.parley.sfu.tap.TrackTap;
import dev.parley.sfu.tap.TrackTapListener;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A track tap (what a recording reads) on a synthetic publisher's three simulcast layers, through a real
 * {@link SfuServer} over UDP: the tap takes the top layer; when the publisher stops sending it, the tap goes on from
 * the middle layer's keyframe (asked for with a PLI), and back to the top when it returns, all as one stream: one
 * SSRC, sequence numbers up by one per packet, picture IDs by one per frame, timestamps never back. The publisher is
 * told all along that the top layer is needed, so the tap's wish keeps it from being paused.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SimulcastTapTest {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CONSENT_INTERVAL = Duration.ofMillis(500);
    private static final List<String> RIDS = List.of("q", "h", "f");
    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(20);

    private SfuServer sfu;
    private Publisher pub;
    private TrackTap tap;
    private final ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor();

    /** Keeps every video packet the tap delivers, read as a recorder reads it. */
    static final class Tapped implements TrackTapListener {
        final List<Received> video = new CopyOnWriteArrayList<>();

        @Override
        public void onTrackAdded(TappedTrack track) {}

        @Override
        public void onRtp(TappedTrack track, TapPacket p) {
            byte[] b = p.array();
            int pay = p.payloadOffset();
            int n = p.payloadLength();
            video.add(new Received(p.ssrc(), p.sequenceNumber(), (int) p.timestamp(),
                    ((b[pay + 2] & 0x7F) << 8) | (b[pay + 3] & 0xFF), (b[pay] & 0x10) != 0,
                    Vp8Payload.isKeyframe(b, pay, n), b[pay + n - 1]));
        }

        @Override
        public void onTrackRemoved(TappedTrack track, TrackRemoval reason) {}

        long countOf(int layer, int from) {
            return video.subList(from, video.size()).stream().filter(r -> r.layer() == layer).count();
        }

        Received firstOf(int layer, int from) {
            return video.subList(from, video.size()).stream().filter(r -> r.layer() == layer).findFirst().orElseThrow();
        }
    }

    /** The publisher's side of the layer pausing: the rids the SFU says somebody needs, latest last. */
    static final class NeededLayers extends ParticipantListener.Ignoring {
        final List<List<String>> told = new CopyOnWriteArrayList<>();

        @Override
        public void onPublisherLayers(String mid, List<String> neededRids) {
            told.add(neededRids);
        }

        List<String> latest() {
            return told.isEmpty() ? List.of() : told.get(told.size() - 1);
        }
    }

    @BeforeAll
    static void measureSrtpBackends() {
        SrtpSession.cryptoBackend(); // measured once, off the media thread
    }

    @AfterEach
    void stop() throws Exception {
        sender.shutdownNow();
        if (tap != null) {
            tap.close();
        }
        if (pub != null) {
            pub.peer.close();
        }
        if (sfu != null) {
            sfu.close();
        }
    }

    @Test
    void theTapFollowsTheBestLayerThatFlowsAsOneContinuousStream() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        sfu = SfuServer.start(new SfuConfig(loopback, 0, List.of(loopback), Duration.ofSeconds(5), 10));
        pub = new Publisher();
        NeededLayers needed = new NeededLayers();
        Participant publisher = sfu.join("simulcast-tap", "pub", needed).get(5, TimeUnit.SECONDS);
        String answer = publisher.publish(pub.peer.simulcastPublisherOffer(ThreadLocalRandom.current().nextInt() | 1, RIDS))
                .get(5, TimeUnit.SECONDS);
        pub.peer.acceptAnswer(answer);
        pub.peer.connect(CONNECT_TIMEOUT, CONSENT_INTERVAL, SrtpProfile.AEAD_AES_128_GCM);
        sender.scheduleAtFixedRate(pub::sendFrame, 0, 33, TimeUnit.MILLISECONDS);

        Tapped tapped = new Tapped();
        // A queue of seconds: a loaded machine may starve the tap's thread for a while.
        tap = sfu.room("simulcast-tap").addTap(tapped, TapOptions.withQueue(4096)).get(5, TimeUnit.SECONDS);

        waitFor("the tap records the top layer", () -> tapped.countOf(2, 0) > 60);
        assertEquals(tapped.video.size(), tapped.countOf(2, 0), "while the top flows, the tap takes it only");
        assertTrue(tapped.video.get(0).keyframe(), "the recording starts on a keyframe: " + tapped.video.get(0));
        waitFor("the publisher is told the top layer is needed", () -> needed.latest().contains("f"));

        // The publisher stops its top layer (short of uplink): the tap goes on from the middle layer's keyframe.
        int middlePlis = pub.plis.get(1);
        pub.highestLayer = 1;
        int stopped = tapped.video.size();
        waitFor("the tap records the middle layer", () -> tapped.countOf(1, stopped) > 30);
        assertTrue(pub.plis.get(1) > middlePlis, "a PLI went to the middle layer's SSRC");
        assertTrue(tapped.firstOf(1, stopped).keyframe(), "the switch down is on a keyframe of the middle layer");
        assertEquals(0, tapped.countOf(0, 0), "the quarter layer was never needed");
        assertTrue(needed.latest().containsAll(List.of("h", "f")),
                "the tap still asks for the top, and for the middle it records now: " + needed.latest());

        // The top comes back: the tap returns to it, on its keyframe.
        pub.highestLayer = 2;
        int resumed = tapped.video.size();
        waitFor("the tap records the top layer again", () -> tapped.countOf(2, resumed) > 30);
        assertTrue(tapped.firstOf(2, resumed).keyframe(), "the switch up is on a keyframe of the top layer");

        assertEquals(0, tap.droppedPackets(), "the tap kept up (a drop would show as a gap below)");
        SimulcastForwardingTest.assertOneContinuousStream(tapped.video);
        publisher.leave(LeaveReason.LEFT).get(5, TimeUnit.SECONDS);
    }

    private static void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(50);
        }
        fail("timed out waiting: " + what);
    }
}
