package dev.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.loadtest.SyntheticPeer;
import dev.parley.sfu.packet.PacketBuffer;
import dev.parley.sfu.rtp.RtpHeader;
import dev.parley.testkit.Eventually;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * WHIP and WHEP with synthetic WebRTC peers (ICE, DTLS-SRTP from parley-loadtest's {@link SyntheticPeer}) on loopback: a
 * WHIP publisher is watched by 100 WHEP viewers, each of which receives its packets; and a viewer whose
 * speaker leaves carries on with the next publisher under the same SSRCs with unbroken sequence numbers.
 */
class WhepViewersTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int VIEWERS = 100;
    private static final byte[] OPUS = new byte[60];
    /** A VP8 payload that starts a keyframe (descriptor S=1, frame tag P=0, start code). */
    private static final byte[] VP8_KEYFRAME = {0x10, 0x00, 0x00, 0x00, (byte) 0x9D, 0x01, 0x2A, (byte) 0x80, 0x02,
            (byte) 0xE0, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0};

    @RegisterExtension
    static final RunningServer server = RunningServer.perClass("--max-connections-per-address", "300",
            "--dtls-pending-per-source", "16", "--dtls-pending-per-room", "16");

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    /** POSTs an offer; returns the session's Location, after the peer took the answer. */
    private String post(String path, SyntheticPeer peer, String offer) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.base + path))
                .header("Content-Type", "application/sdp").POST(HttpRequest.BodyPublishers.ofString(offer))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, r.statusCode(), r.body());
        peer.acceptAnswer(r.body());
        return r.headers().firstValue("location").orElseThrow();
    }

    private void delete(String location) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.base + location)).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
    }

    /** A WHIP publisher that sends Opus-sized audio every 20 ms and a VP8 keyframe every 100 ms until closed. */
    private final class Publisher implements AutoCloseable {
        final SyntheticPeer peer;
        final String location;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread sender;
        /** The RFC 6464 level its audio carries (-dBov: 0 loudest, 127 silence); -1 for none. */
        final AtomicInteger level = new AtomicInteger(-1);

        Publisher(String room, String name, int audioSsrc, int videoSsrc) throws Exception {
            this(room, name, audioSsrc, videoSsrc, (byte) 0);
        }

        /** @param tag written into each video payload, so that a viewer can tell whose video it gets */
        Publisher(String room, String name, int audioSsrc, int videoSsrc, byte tag) throws Exception {
            byte[] video = VP8_KEYFRAME.clone();
            video[video.length - 1] = tag;
            peer = SyntheticPeer.open(name, (p, t) -> { });
            location = post("/whip/" + room + "?name=" + name, peer, peer.publisherOffer(audioSsrc, videoSsrc));
            peer.connect(TIMEOUT);
            sender = new Thread(() -> {
                int seq = 0;
                int vseq = 0;
                for (int i = 0; running.get(); i++) {
                    int l = level.get();
                    if (l < 0) {
                        peer.sendRtp(audioSsrc, SyntheticPeer.OPUS_PAYLOAD_TYPE, seq++ & 0xFFFF, i * 960, OPUS);
                    } else {
                        peer.sendRtpWithAudioLevel(audioSsrc, SyntheticPeer.OPUS_PAYLOAD_TYPE, seq++ & 0xFFFF, i * 960, 1, l, OPUS);
                    }
                    if (i % 5 == 0) {
                        peer.sendRtp(videoSsrc, SyntheticPeer.VP8_PAYLOAD_TYPE, vseq++ & 0xFFFF, i * 1800, video);
                    }
                    try {
                        Thread.sleep(20); // media pacing, not a wait for a condition
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "whip-sender " + name);
            sender.start();
        }

        @Override
        public void close() throws Exception {
            running.set(false);
            sender.interrupt();
            sender.join();
            peer.close();
        }
    }

    /** What one viewer received, by payload type. */
    private static final class Received implements SyntheticPeer.MediaHandler {
        final AtomicLong audio = new AtomicLong();
        final AtomicLong video = new AtomicLong();
        final AtomicInteger videoSsrc = new AtomicInteger();
        final AtomicInteger lastVideoSeq = new AtomicInteger(-1);
        final AtomicInteger videoSsrcChanges = new AtomicInteger();
        final AtomicInteger videoSeqGaps = new AtomicInteger();
        /** The tag of the last video packet: whose video it was. */
        final AtomicInteger lastTag = new AtomicInteger(-1);

        @Override
        public void onRtp(PacketBuffer p, long receivedNanos) {
            byte[] b = p.array();
            int o = p.offset();
            if (RtpHeader.payloadType(b, o) == SyntheticPeer.VP8_PAYLOAD_TYPE) {
                int ssrc = RtpHeader.ssrc(b, o);
                int seq = RtpHeader.sequenceNumber(b, o);
                if (video.getAndIncrement() > 0) {
                    if (ssrc != videoSsrc.get()) {
                        videoSsrcChanges.incrementAndGet();
                    }
                    if (seq != ((lastVideoSeq.get() + 1) & 0xFFFF)) {
                        videoSeqGaps.incrementAndGet();
                    }
                }
                videoSsrc.set(ssrc);
                lastVideoSeq.set(seq);
                lastTag.set(b[o + p.length() - 1]);
            } else {
                audio.incrementAndGet();
            }
        }
    }

    private SyntheticPeer viewer(String room, Received received, int n) throws Exception {
        SyntheticPeer peer = SyntheticPeer.open("viewer-" + n, received);
        String offer = peer.publisherOffer(0x5000 + n, 0x6000 + n).replace("a=sendonly", "a=recvonly");
        post("/whep/" + room, peer, offer);
        peer.connect(TIMEOUT);
        return peer;
    }

    @Test
    void aHundredViewersEachReceiveTheSpeaker() throws Exception {
        Publisher speaker = new Publisher("stage", "Speaker", 0x1001, 0x1002);
        closing.add(speaker);
        List<Received> received = new ArrayList<>();
        ExecutorService connecting = Executors.newFixedThreadPool(8);
        try {
            List<Future<SyntheticPeer>> peers = new ArrayList<>();
            for (int i = 0; i < VIEWERS; i++) {
                Received r = new Received();
                received.add(r);
                int n = i;
                peers.add(connecting.submit(() -> viewer("stage", r, n)));
            }
            for (Future<SyntheticPeer> f : peers) {
                closing.add(f.get());
            }
        } finally {
            connecting.shutdown();
        }
        Eventually.await(TIMEOUT, "every viewer receives audio and video", () ->
                received.stream().allMatch(r -> r.audio.get() > 10 && r.video.get() > 3));
        assertTrue(server.metrics().contains("parley_whep_viewers " + VIEWERS), "viewers counted in /metrics");
        assertTrue(server.metrics().contains("parley_participants 1"), "only the WHIP publisher is a participant");
    }

    @Test
    void theViewerFollowsWhoeverSpeaksLouder() throws Exception {
        Publisher first = new Publisher("talk", "First", 0x4001, 0x4002, (byte) 1);
        closing.add(first);
        Publisher second = new Publisher("talk", "Second", 0x4101, 0x4102, (byte) 2);
        closing.add(second);
        first.level.set(127); // silent
        second.level.set(20); // speaking
        Received r = new Received();
        closing.add(viewer("talk", r, 998));
        Eventually.await(TIMEOUT, "the viewer gets the speaking publisher's video", () -> r.lastTag.get() == 2);
        first.level.set(10);
        second.level.set(127);
        Eventually.await(TIMEOUT, "the viewer follows when the other one speaks", () -> r.lastTag.get() == 1);
        long at = r.video.get();
        Eventually.await(TIMEOUT, "video goes on", () -> r.video.get() > at + 10);
        assertEquals(1, r.lastTag.get(), "the new speaker keeps the floor while it speaks");
        assertEquals(0, r.videoSsrcChanges.get(), "one SSRC throughout");
        assertEquals(0, r.videoSeqGaps.get(), "sequence numbers without a gap across both switches");
    }

    @Test
    void whenTheSpeakerLeavesTheViewerFollowsTheNextUnderTheSameSsrcWithoutAGap() throws Exception {
        Publisher first = new Publisher("switch", "First", 0x2001, 0x2002);
        Publisher second = new Publisher("switch", "Second", 0x3001, 0x3002);
        closing.add(second);
        Received r = new Received();
        closing.add(viewer("switch", r, 999));
        Eventually.await(TIMEOUT, "video from the first publisher", () -> r.video.get() > 5);
        long before = r.video.get();
        delete(first.location);
        first.close();
        Eventually.await(TIMEOUT, "video goes on after the switch", () -> r.video.get() > before + 20);
        assertEquals(0, r.videoSsrcChanges.get(), "the viewer's video SSRC stays the same");
        assertEquals(0, r.videoSeqGaps.get(), "the viewer's video sequence numbers run on without a gap or jump");
    }
}
