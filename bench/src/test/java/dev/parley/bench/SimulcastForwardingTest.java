package dev.parley.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.parley.loadtest.SyntheticPeer;
import dev.parley.sfu.LeaveReason;
import dev.parley.sfu.Participant;
import dev.parley.sfu.ParticipantListener;
import dev.parley.sfu.SfuConfig;
import dev.parley.sfu.SfuServer;
import dev.parley.sfu.packet.PacketBuffer;
import dev.parley.sfu.rtp.RtcpFeedback;
import dev.parley.sfu.rtp.RtcpIterator;
import dev.parley.sfu.rtp.RtcpPacket;
import dev.parley.sfu.rtp.ReportBlock;
import dev.parley.sfu.rtp.RtpHeader;
import dev.parley.sfu.srtp.SrtpProfile;
import dev.parley.sfu.srtp.SrtpSession;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A synthetic publisher sends its camera as three simulcast layers (q, h, f: 320x180, 640x360, 1280x720, each its
 * own SSRC named by rid) through a real {@link SfuServer} over UDP; subscribers whose tiles differ in size each get
 * one layer under one SSRC with continuous numbering, and a change of tile switches layer on a keyframe the SFU
 * asked that layer for. When the publisher stops the layer a subscriber gets (as a browser short of uplink does),
 * the subscriber is moved to a layer that still flows within a few frames.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SimulcastForwardingTest {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CONSENT_INTERVAL = Duration.ofMillis(500);
    private static final List<String> RIDS = List.of("q", "h", "f");
    private static final int[][] SIZES = {{320, 180}, {640, 360}, {1280, 720}};
    private static final int[] PACKETS_PER_FRAME = {1, 2, 4};
    private static final int PACKET_BYTES = 900;
    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(20);

    private SfuServer sfu;
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor();
    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();

    /** A video packet a subscriber received: the layer is the last payload byte the publisher wrote. */
    record Received(int ssrc, int seq, int timestamp, int pictureId, boolean frameStart, boolean keyframe, int layer) {}

    /** The publisher: three layers with unrelated numbering; a PLI for a layer's SSRC makes its next frame a keyframe. */
    static final class Publisher {
        final SyntheticPeer peer;
        final int[] ssrcs = new int[3];
        final int[] seq = new int[3];
        final int[] ts = new int[3];
        final int[] pic = new int[3];
        final int[] tl0 = new int[3];
        final AtomicIntegerArray keyframeWanted = new AtomicIntegerArray(3);
        final AtomicIntegerArray plis = new AtomicIntegerArray(3);
        /** Layers the SFU has sent a receiver report about: their packets need not name their rid any more. */
        final AtomicIntegerArray reported = new AtomicIntegerArray(3);
        int frame;
        /** The highest layer sent: lower it to stop the top layers, as a browser short of uplink does. */
        volatile int highestLayer = 2;

        Publisher() throws Exception {
            ThreadLocalRandom r = ThreadLocalRandom.current();
            for (int i = 0; i < 3; i++) {
                ssrcs[i] = r.nextInt() | 1;
                seq[i] = r.nextInt(0x10000);
                ts[i] = r.nextInt();
                pic[i] = r.nextInt(0x8000);
                tl0[i] = r.nextInt(0x100);
                keyframeWanted.set(i, 1);
            }
            RtcpIterator rtcp = new RtcpIterator();
            peer = SyntheticPeer.open("simulcast-pub", new SyntheticPeer.MediaHandler() {
                @Override
                public void onRtp(PacketBuffer packet, long receivedNanos) {}

                @Override
                public void onRtcp(PacketBuffer p, long receivedNanos) {
                    if (!rtcp.reset(p.array(), p.offset(), p.length())) {
                        return;
                    }
                    while (rtcp.next()) {
                        if (rtcp.type() == RtcpPacket.RR) {
                            for (int b = 0; b < rtcp.count(); b++) {
                                int block = ReportBlock.offset(p.array(), rtcp.offset(), b);
                                if (block + ReportBlock.LENGTH <= rtcp.offset() + rtcp.length()) {
                                    for (int i = 0; i < 3; i++) {
                                        if (ssrcs[i] == ReportBlock.ssrc(p.array(), block)) {
                                            reported.set(i, 1);
                                        }
                                    }
                                }
                            }
                        }
                        if (RtcpFeedback.isPli(rtcp.type(), rtcp.count())) {
                            int media = RtcpFeedback.mediaSsrc(p.array(), rtcp.offset());
                            for (int i = 0; i < 3; i++) {
                                if (ssrcs[i] == media) {
                                    plis.incrementAndGet(i);
                                    keyframeWanted.set(i, 1);
                                }
                            }
                        }
                    }
                }
            });
        }

        /** One frame of every layer; a layer's packets name their rid until the SFU reports on its SSRC, as Chrome's do. */
        void sendFrame() {
            int highest = highestLayer;
            for (int layer = 0; layer <= highest; layer++) {
                boolean key = keyframeWanted.getAndSet(layer, 0) == 1;
                for (int k = 0; k < PACKETS_PER_FRAME[layer]; k++) {
                    byte[] payload = new byte[PACKET_BYTES];
                    payload[0] = (byte) (k == 0 ? 0x90 : 0x80); // X, S on the frame's first packet, partition 0
                    payload[1] = (byte) 0xC0; // picture ID, TL0PICIDX
                    payload[2] = (byte) (0x80 | (pic[layer] >> 8));
                    payload[3] = (byte) pic[layer];
                    payload[4] = (byte) tl0[layer];
                    if (k == 0) {
                        payload[5] = (byte) (key ? 0x00 : 0x01);
                        if (key) {
                            payload[8] = (byte) 0x9D;
                            payload[9] = 0x01;
                            payload[10] = 0x2A;
                            payload[11] = (byte) SIZES[layer][0];
                            payload[12] = (byte) (SIZES[layer][0] >> 8);
                            payload[13] = (byte) SIZES[layer][1];
                            payload[14] = (byte) (SIZES[layer][1] >> 8);
                        }
                    }
                    payload[PACKET_BYTES - 1] = (byte) layer;
                    boolean marker = k == PACKETS_PER_FRAME[layer] - 1;
                    if (reported.get(layer) == 0) {
                        peer.sendRtpWithExtension(ssrcs[layer], SyntheticPeer.VP8_PAYLOAD_TYPE, marker, seq[layer], ts[layer],
                                SyntheticPeer.RID_EXTENSION, RIDS.get(layer).getBytes(StandardCharsets.US_ASCII), payload);
                    } else {
                        peer.sendRtp(ssrcs[layer], SyntheticPeer.VP8_PAYLOAD_TYPE, marker, seq[layer], ts[layer],
                                payload, 0, payload.length);
                    }
                    seq[layer] = (seq[layer] + 1) & 0xFFFF;
                }
                ts[layer] += 3000;
                pic[layer] = (pic[layer] + 1) & 0x7FFF;
                tl0[layer] = (tl0[layer] + 1) & 0xFF;
            }
            frame++;
        }
    }

    /** A subscriber: answers the SFU's offers and keeps every video packet it gets. */
    static final class Subscriber extends ParticipantListener.Ignoring {
        final SyntheticPeer peer;
        final List<Received> video = new CopyOnWriteArrayList<>();
        final SubscriberOffers offers;
        Participant participant;

        Subscriber(String name) throws Exception {
            peer = SyntheticPeer.open(name, (p, at) -> {
                byte[] b = p.array();
                int o = p.offset();
                if (RtpHeader.payloadType(b, o) != SyntheticPeer.VP8_PAYLOAD_TYPE) {
                    return;
                }
                int pay = RtpHeader.payloadOffset(b, o);
                int n = RtpHeader.payloadLength(b, o, p.length());
                boolean start = (b[pay] & 0x10) != 0;
                video.add(new Received(RtpHeader.ssrc(b, o), RtpHeader.sequenceNumber(b, o), RtpHeader.timestamp(b, o),
                        ((b[pay + 2] & 0x7F) << 8) | (b[pay + 3] & 0xFF), start,
                        dev.parley.sfu.rtp.Vp8Payload.isKeyframe(b, pay, n), b[pay + n - 1]));
            });
            this.offers = new SubscriberOffers(peer);
        }

        @Override
        public void onSubscriberOffer(String sdp, int version) {
            offers.add(sdp, version);
        }

        void answerOffers() throws Exception {
            offers.answerNewest(participant);
        }

        long countOf(int layer, int from) {
            return video.subList(from, video.size()).stream().filter(r -> r.layer() == layer).count();
        }
    }

    @BeforeAll
    static void measureSrtpBackends() {
        // The first SRTP session measures the cipher implementations (a while, on a cold JVM): not on the media thread.
        SrtpSession.cryptoBackend();
    }

    @AfterEach
    void stop() throws Exception {
        sender.shutdownNow();
        for (AutoCloseable c : closing) {
            c.close();
        }
        if (sfu != null) {
            sfu.close();
        }
    }

    @Test
    void eachSubscriberGetsTheLayerOfItsTileAndSwitchesOnAKeyframe() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        sfu = SfuServer.start(new SfuConfig(loopback, 0, List.of(loopback), Duration.ofSeconds(5), 10));
        Publisher pub = new Publisher();
        closing.add(pub.peer);
        Subscriber big = join("big");
        Subscriber small = join("small");
        Participant publisher = sfu.join("simulcast", "pub", new ParticipantListener.Ignoring()).get(5, TimeUnit.SECONDS);
        String answer = publisher.publish(pub.peer.simulcastPublisherOffer(ThreadLocalRandom.current().nextInt() | 1, RIDS))
                .get(5, TimeUnit.SECONDS);
        assertTrue(answer.contains("a=simulcast:recv q;h;f"), answer);
        pub.peer.acceptAnswer(answer);
        pub.peer.connect(CONNECT_TIMEOUT, CONSENT_INTERVAL, SrtpProfile.AEAD_AES_128_GCM);
        sender.scheduleAtFixedRate(pub::sendFrame, 0, 33, TimeUnit.MILLISECONDS);

        big.participant.setVideoSize(publisher.id(), 1280, 720).get(5, TimeUnit.SECONDS);
        small.participant.setVideoSize(publisher.id(), 320, 180).get(5, TimeUnit.SECONDS);
        waitFor("both subscribers connected", () -> big.peer.connected() && small.peer.connected());

        waitFor("the big tile gets the full layer", () -> big.countOf(2, 0) > 30);
        waitFor("the small tile gets the quarter layer", () -> small.countOf(0, 0) > 30);
        // Settled: from here on, each gets its layer only.
        int bigMark = big.video.size();
        int smallMark = small.video.size();
        waitFor("more media", () -> big.video.size() > bigMark + 60 && small.video.size() > smallMark + 15);
        assertEquals(big.video.size() - bigMark, big.countOf(2, bigMark), "only the full layer goes to the big tile");
        assertEquals(small.video.size() - smallMark, small.countOf(0, smallMark), "only the quarter layer goes to the small tile");

        // The small tile grows: the SFU asks the full layer for a keyframe and switches there.
        int plisBefore = pub.plis.get(2);
        int switchMark = small.video.size();
        small.participant.setVideoSize(publisher.id(), 1280, 720).get(5, TimeUnit.SECONDS);
        waitFor("the grown tile gets the full layer", () -> small.countOf(2, switchMark) > 30);
        assertTrue(pub.plis.get(2) > plisBefore, "a PLI went to the full layer's SSRC");
        Received firstFull = small.video.stream().skip(switchMark).filter(r -> r.layer() == 2).findFirst().orElseThrow();
        assertTrue(firstFull.keyframe(), "the switch happened on a keyframe of the new layer: " + firstFull);

        assertOneContinuousStream(big.video);
        assertOneContinuousStream(small.video);
        assertTrue(small.video.stream().map(Received::layer).distinct().count() >= 2, "small saw both layers");

        // Hidden: nothing more is forwarded.
        small.participant.setVideoSize(publisher.id(), 0, 0).get(5, TimeUnit.SECONDS);
        long quietSince = System.nanoTime();
        int[] last = {small.video.size()};
        waitFor("forwarding to a hidden tile stops", () -> {
            if (small.video.size() != last[0]) {
                last[0] = small.video.size();
                return false;
            }
            return true;
        }, 1_000_000_000L);
        assertTrue(System.nanoTime() - quietSince < DEADLINE_NANOS);
        int bigBefore = big.video.size();
        waitFor("the other subscriber still gets media", () -> big.video.size() > bigBefore + 30);
    }

    @Test
    void whenThePublisherStopsTheForwardedLayerTheSubscriberGetsOneThatFlowsWithinAFewFrames() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        sfu = SfuServer.start(new SfuConfig(loopback, 0, List.of(loopback), Duration.ofSeconds(5), 10));
        Publisher pub = new Publisher();
        closing.add(pub.peer);
        Subscriber big = join("big");
        Participant publisher = sfu.join("simulcast", "pub", new ParticipantListener.Ignoring()).get(5, TimeUnit.SECONDS);
        pub.peer.acceptAnswer(publisher.publish(pub.peer.simulcastPublisherOffer(ThreadLocalRandom.current().nextInt() | 1, RIDS))
                .get(5, TimeUnit.SECONDS));
        pub.peer.connect(CONNECT_TIMEOUT, CONSENT_INTERVAL, SrtpProfile.AEAD_AES_128_GCM);
        sender.scheduleAtFixedRate(pub::sendFrame, 0, 33, TimeUnit.MILLISECONDS);
        big.participant.setVideoSize(publisher.id(), 1280, 720).get(5, TimeUnit.SECONDS);
        waitFor("the big tile gets the full layer", () -> big.countOf(2, 0) > 60);

        // The publisher's uplink estimate drops: it stops sending f, and h and q go on.
        int mark = big.video.size();
        long stoppedAt = System.nanoTime();
        pub.highestLayer = 1;
        long deadline = stoppedAt + DEADLINE_NANOS;
        while (big.countOf(1, mark) == 0 && System.nanoTime() < deadline) {
            answerOffers();
            Thread.sleep(5);
        }
        long switchMillis = (System.nanoTime() - stoppedAt) / 1_000_000;
        assertTrue(big.countOf(1, mark) > 0, "the half layer reached the subscriber");
        System.out.println("simulcast: the forwarded layer stopped; the subscriber got the next one after "
                + switchMillis + " ms");
        // From the stop: ~300 ms to notice (three frame intervals, at least 300 ms), a PLI, and the next frame of
        // h as a keyframe. A flat "not flowing" timeout of 1.5 s checked once a second took 1.5 to 2.5 s.
        assertTrue(switchMillis < 1_200, "moved to a flowing layer within a few frames, not after a 1.5 s "
                + "timeout: " + switchMillis + " ms");
        Received firstHalf = big.video.stream().skip(mark).filter(r -> r.layer() == 1).findFirst().orElseThrow();
        assertTrue(firstHalf.keyframe(), "the switch happened on a keyframe of h: " + firstHalf);
        int after = big.video.size();
        waitFor("h keeps coming", () -> big.countOf(1, after) > 30);
        assertOneContinuousStream(big.video);
    }

    private Subscriber join(String name) throws Exception {
        Subscriber s = new Subscriber(name);
        subscribers.add(s);
        closing.add(s.peer);
        s.participant = sfu.join("simulcast", name, s).get(5, TimeUnit.SECONDS);
        closing.add(() -> s.participant.leave(LeaveReason.LEFT).join());
        return s;
    }

    private void answerOffers() {
        try {
            for (Subscriber s : subscribers) {
                s.answerOffers();
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** One SSRC; sequence numbers up by one per packet; picture IDs up by one per frame; timestamps never back. */
    static void assertOneContinuousStream(List<Received> received) {
        List<Received> got = List.copyOf(received);
        assertTrue(got.size() > 40, "received " + got.size());
        assertEquals(1, got.stream().map(Received::ssrc).distinct().count(), "one SSRC whatever the layer");
        for (int i = 1; i < got.size(); i++) {
            Received a = got.get(i - 1);
            Received b = got.get(i);
            assertEquals((a.seq() + 1) & 0xFFFF, b.seq(), "sequence number after " + a + ": " + b);
            long advance = (b.timestamp() - a.timestamp()) & 0xFFFFFFFFL;
            assertTrue(advance < 0x80000000L, "timestamp went back: " + a + " then " + b);
            if (b.frameStart()) {
                assertEquals((a.pictureId() + 1) & 0x7FFF, b.pictureId(), "picture ID after " + a + ": " + b);
                assertTrue(advance > 0, "a new frame has a later timestamp: " + b);
            } else {
                assertEquals(a.pictureId(), b.pictureId(), "a frame's packets share its picture ID");
            }
        }
    }

    private void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
        waitFor(what, condition, 0);
    }

    /**
     * Polls until {@code condition} holds (for {@code steadyNanos} on end, when given), within the deadline; the
     * subscribers answer the SFU's offers meanwhile.
     */
    private void waitFor(String what, BooleanSupplier condition, long steadyNanos) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        long heldSince = -1;
        while (System.nanoTime() < deadline) {
            answerOffers();
            if (condition.getAsBoolean()) {
                if (heldSince < 0) {
                    heldSince = System.nanoTime();
                }
                if (System.nanoTime() - heldSince >= steadyNanos) {
                    return;
                }
            } else {
                heldSince = -1;
            }
            Thread.sleep(50);
        }
        fail("timed out waiting: " + what);
    }
}
