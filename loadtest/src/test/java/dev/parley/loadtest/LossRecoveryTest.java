package dev.parley.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.parley.sfu.LeaveReason;
import dev.parley.sfu.Participant;
import dev.parley.sfu.ParticipantListener;
import dev.parley.sfu.SfuConfig;
import dev.parley.sfu.SfuServer;
import dev.parley.sfu.media.DropReason;
import dev.parley.sfu.media.MediaCounters;
import dev.parley.sfu.packet.PacketBuffer;
import dev.parley.sfu.rtp.NackIterator;
import dev.parley.sfu.rtp.RtcpFeedback;
import dev.parley.sfu.rtp.RtcpIterator;
import dev.parley.sfu.rtp.RtcpWriter;
import dev.parley.sfu.rtp.RtpHeader;
import dev.parley.sfu.rtp.RtxPacket;
import dev.parley.sfu.sdp.MediaSection;
import dev.parley.sfu.sdp.SessionDescription;
import dev.parley.sfu.srtp.SrtpSession;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Loss recovery through a real SFU with synthetic WebRTC peers on loopback (ICE, DTLS-SRTP): packets lost between
 * a publisher and Parley come back through Parley's NACKs and the publisher's RFC 4588 retransmissions, and
 * packets lost between Parley and a subscriber come back through the subscriber's NACKs, as RTX when the
 * subscriber accepted it and on the media SSRC when it did not.
 */
class LossRecoveryTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final int AUDIO_SSRC = 0x0A0A0A0A;
    private static final int VIDEO_SSRC = 0x0B0B0B0B;
    private static final int VIDEO_RTX_SSRC = 0x0C0C0C0C;
    private static final int FRAMES = 300;

    private SfuServer sfu;
    private final List<AutoCloseable> closeLater = new ArrayList<>();

    @BeforeAll
    static void warmUpSrtp() {
        // The first SRTP session of a process benchmarks cipher providers for seconds: not during a call.
        SrtpSession.cryptoBackend();
    }

    @BeforeEach
    void start() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        sfu = SfuServer.start(new SfuConfig(loopback, 0, List.of(loopback), Duration.ofSeconds(10), 10));
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closeLater.reversed()) {
            c.close();
        }
        sfu.close();
    }

    @Test
    void lossOnBothLegsIsRecoveredWithRtx() throws Exception {
        Publisher alice = new Publisher();
        Subscriber bob = new Subscriber(true);
        alice.sendWarmUpUntil(bob::receivingVideo);
        MediaCounters c = sfu.counters();
        long recoveredBefore = c.recoveredPackets();

        // Every 10th packet is lost on the way in, and Bob loses another every 10th on the way out, once.
        int first = alice.nextSeq;
        bob.dropFirstArrivalOf(seq -> Math.floorMod(seq - bob.firstVideoSeq(), 10) == 7);
        for (int i = 0; i < FRAMES; i++) {
            alice.sendVideo(i % 10 != 5);
            if (i % 10 == 9) {
                bob.nackLost();
            }
        }
        int last = alice.nextSeq - 1;
        // Alice also retransmits a packet that made it: Bob must not get it twice.
        alice.retransmit((first + 1) & 0xFFFF);
        bob.nackUntilRecovered(first, last);

        assertTrue(bob.hasEveryMarker(first, last), "Bob receives every packet Alice sent, lost ones included");
        assertEquals(0, bob.mediaDuplicates.get(), "no packet reaches Bob twice on the media SSRC");
        assertTrue(alice.rtxSent.get() >= FRAMES / 10, "Parley asked Alice for what it lost: " + alice.rtxSent);
        assertTrue(c.nacksSent() >= FRAMES / 10, "NACK sequence numbers sent to publishers: " + c.nacksSent());
        assertTrue(c.retransmissionsReceived() >= FRAMES / 10);
        assertTrue(c.recoveredPackets() - recoveredBefore >= FRAMES / 10, "recovered: " + c.recoveredPackets());
        assertTrue(c.droppedPackets(DropReason.DUPLICATE) >= 1, "the needless retransmission is dropped");
        assertTrue(bob.dropped.size() >= FRAMES / 10, "Bob lost packets: " + bob.dropped.size());
        assertTrue(bob.rtxReceived.get() >= bob.dropped.size(), "Bob's losses come back as RTX: " + bob.rtxReceived);
        assertEquals(0, bob.rtxWithUnknownOsn.get(), "every RTX packet carries a sequence number Bob asked for");
        assertTrue(c.nacksReceived() >= FRAMES / 10);
        assertTrue(c.retransmissionsSent() >= FRAMES / 10);
    }

    @Test
    void aSubscriberWithoutRtxGetsRetransmissionsOnTheMediaSsrc() throws Exception {
        Publisher alice = new Publisher();
        Subscriber carol = new Subscriber(false);
        alice.sendWarmUpUntil(carol::receivingVideo);
        int first = alice.nextSeq;
        carol.dropFirstArrivalOf(seq -> Math.floorMod(seq - carol.firstVideoSeq(), 10) == 3);
        for (int i = 0; i < 100; i++) {
            alice.sendVideo(true);
            if (i % 10 == 9) {
                carol.nackLost(); // promptly, as a browser does: a late resend on the media SSRC would be an SRTP replay
            }
        }
        int last = alice.nextSeq - 1;
        carol.nackUntilRecovered(first, last);
        assertTrue(carol.hasEveryMarker(first, last), "Carol receives every packet, lost ones resent");
        assertTrue(carol.dropped.size() >= 9, "Carol lost packets: " + carol.dropped);
        assertEquals(0, carol.rtxReceived.get(), "no RTX for a subscriber that did not accept it");
        assertEquals(0, carol.otherSsrc.get());
    }

    /** Alice: publishes VP8 with RTX, and answers Parley's NACKs with RFC 4588 packets from what she sent. */
    private final class Publisher {
        final SyntheticPeer peer;
        final AtomicInteger rtxSent = new AtomicInteger();
        private final AtomicInteger rtxSeq = new AtomicInteger(40000);
        private final RtcpIterator rtcp = new RtcpIterator();
        private final NackIterator nack = new NackIterator();
        /** The next packet's number, unwrapped (its low 16 bits are the sequence number): it wraps during the test. */
        volatile int nextSeq = 65400;

        Publisher() throws Exception {
            peer = SyntheticPeer.open("alice-pub", new SyntheticPeer.MediaHandler() {
                @Override
                public void onRtp(PacketBuffer packet, long receivedNanos) {}

                @Override
                public void onRtcp(PacketBuffer packet, long receivedNanos) {
                    onParleysRtcp(packet);
                }
            });
            closeLater.add(peer);
            Participant alice = sfu.join("room", "Alice", new ParticipantListener.Ignoring()).get(10, TimeUnit.SECONDS);
            closeLater.add(() -> alice.leave(LeaveReason.LEFT));
            String answer = alice.publish(peer.publisherOffer(AUDIO_SSRC, VIDEO_SSRC, VIDEO_RTX_SSRC)).get(10, TimeUnit.SECONDS);
            assertTrue(answer.contains("rtx/90000"), "Parley accepts VP8's retransmission format");
            peer.acceptAnswer(answer);
            peer.connect(TIMEOUT);
        }

        void sendWarmUpUntil(BooleanSupplier done) throws Exception {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (!done.getAsBoolean()) {
                if (System.nanoTime() > deadline) {
                    fail("the subscriber never received video");
                }
                sendVideo(true);
                pace();
            }
        }

        /** Sends the next video packet, or only pretends to when it is lost on the way to Parley. */
        void sendVideo(boolean arrives) throws InterruptedException {
            int seq = nextSeq & 0xFFFF;
            nextSeq++;
            if (arrives) {
                peer.sendRtp(VIDEO_SSRC, SyntheticPeer.VP8_PAYLOAD_TYPE, seq, timestamp(seq), payload(seq));
            }
            pace();
        }

        void retransmit(int seq) {
            byte[] media = payload(seq & 0xFFFF);
            byte[] rtx = new byte[media.length + RtxPacket.OSN_LENGTH];
            rtx[0] = (byte) (seq >>> 8);
            rtx[1] = (byte) seq;
            System.arraycopy(media, 0, rtx, 2, media.length);
            peer.sendRtp(VIDEO_RTX_SSRC, SyntheticPeer.RTX_PAYLOAD_TYPE, rtxSeq.getAndIncrement() & 0xFFFF,
                    timestamp(seq), rtx);
            rtxSent.incrementAndGet();
        }

        private void onParleysRtcp(PacketBuffer p) {
            byte[] b = p.array();
            if (!rtcp.reset(b, p.offset(), p.length())) {
                return;
            }
            while (rtcp.next()) {
                if (RtcpFeedback.isNack(rtcp.type(), rtcp.count())
                        && RtcpFeedback.mediaSsrc(b, rtcp.offset()) == VIDEO_SSRC) {
                    nack.reset(b, rtcp.offset(), rtcp.length());
                    while (nack.hasNext()) {
                        retransmit(nack.nextSequenceNumber());
                    }
                }
            }
        }

        private static int timestamp(int seq) {
            return seq * 3000;
        }

        private static void pace() throws InterruptedException {
            Thread.sleep(2); // a steady packet rate, like a camera's, not a wait for anything
        }
    }

    /** The video payload: a frame header byte, then the publisher's sequence number as the marker Bob checks. */
    static byte[] payload(int seq) {
        byte[] p = new byte[100];
        p[0] = (byte) 0x90;
        SyntheticPeer.putInt(p, 1, seq);
        for (int i = 5; i < p.length; i++) {
            p[i] = (byte) (seq + i);
        }
        return p;
    }

    /** Bob or Carol: subscribes, loses some packets once, NACKs them and records what comes back. */
    private final class Subscriber {
        final SyntheticPeer peer;
        // From Parley's offer; read by the receive thread, which may start before they are known.
        private volatile int videoSsrc;
        private volatile int rtxSsrc;
        final Map<Integer, Boolean> markers = new ConcurrentHashMap<>();
        final Set<Integer> lost = ConcurrentHashMap.newKeySet();
        final Set<Integer> dropped = ConcurrentHashMap.newKeySet();
        final AtomicInteger mediaDuplicates = new AtomicInteger();
        final AtomicInteger rtxReceived = new AtomicInteger();
        final AtomicInteger rtxWithUnknownOsn = new AtomicInteger();
        final AtomicInteger otherSsrc = new AtomicInteger();
        private volatile int firstVideoSeq = -1;
        private volatile java.util.function.IntPredicate dropFirst = seq -> false;

        Subscriber(boolean acceptRtx) throws Exception {
            BlockingQueue<String> offers = new LinkedBlockingQueue<>();
            Participant self = sfu.join("room", acceptRtx ? "Bob" : "Carol", new ParticipantListener.Ignoring() {
                @Override
                public void onSubscriberOffer(String sdp, int version) {
                    offers.add(version + "\n" + sdp);
                }
            }).get(10, TimeUnit.SECONDS);
            closeLater.add(() -> self.leave(LeaveReason.LEFT));
            peer = SyntheticPeer.open(acceptRtx ? "bob-sub" : "carol-sub", InetAddress.getLoopbackAddress(), this::onRtp, null, true,
                    SyntheticPeer.DEFAULT_RECEIVE_BUFFER);
            closeLater.add(peer);
            peer.setLossFilter((ssrc, seq) -> ssrc == videoSsrc && dropFirst.test(seq) && dropped.add(seq) && lost.add(seq));
            String versioned = offers.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertNotNull(versioned, "a subscriber offer with Alice's tracks");
            int version = Integer.parseInt(versioned.substring(0, versioned.indexOf('\n')));
            String offer = versioned.substring(versioned.indexOf('\n') + 1);
            MediaSection video = SessionDescription.parse(offer).media().stream()
                    .filter(m -> m.kind().equals("video")).findFirst().orElseThrow();
            String[] fid = video.attributes("ssrc-group").getFirst().split(" ");
            assertEquals("FID", fid[0], "Parley offers RTX with its own SSRC");
            videoSsrc = (int) Long.parseLong(fid[1]);
            rtxSsrc = (int) Long.parseLong(fid[2]);
            self.acceptSubscriberAnswer(peer.answerFor(offer, acceptRtx), version).get(10, TimeUnit.SECONDS);
            peer.connect(TIMEOUT);
        }

        int firstVideoSeq() {
            return firstVideoSeq;
        }

        boolean receivingVideo() {
            return firstVideoSeq >= 0;
        }

        void dropFirstArrivalOf(java.util.function.IntPredicate which) {
            dropFirst = which;
        }

        private void onRtp(PacketBuffer p, long receivedNanos) {
            byte[] b = p.array();
            int off = p.offset();
            int ssrc = RtpHeader.ssrc(b, off);
            if (ssrc == videoSsrc) {
                int seq = RtpHeader.sequenceNumber(b, off);
                if (firstVideoSeq < 0) {
                    firstVideoSeq = seq;
                }
                lost.remove(seq);
                record(b, RtpHeader.payloadOffset(b, off), true);
            } else if (ssrc == rtxSsrc) {
                rtxReceived.incrementAndGet();
                int osn = RtxPacket.decapsulate(p, videoSsrc, 96);
                if (osn < 0 || !dropped.contains(osn)) {
                    rtxWithUnknownOsn.incrementAndGet();
                } else if (lost.remove(osn)) {
                    record(b, RtpHeader.payloadOffset(b, off), false);
                }
            } else if (RtpHeader.payloadType(b, off) != 111) {
                otherSsrc.incrementAndGet();
            }
        }

        private void record(byte[] b, int payload, boolean media) {
            Boolean before = markers.put(SyntheticPeer.getInt(b, payload + 1) & 0xFFFF, Boolean.TRUE);
            if (before != null && media) {
                mediaDuplicates.incrementAndGet();
            }
        }

        boolean hasEveryMarker(int first, int last) {
            for (int s = first; s <= last; s++) {
                if (!markers.containsKey(s & 0xFFFF)) {
                    return false;
                }
            }
            return true;
        }

        /**
         * NACKs what is lost, as a browser does every round trip, until every packet from {@code first} to
         * {@code last} (the publisher's numbers) is in, or the time is up.
         */
        void nackUntilRecovered(int first, int last) throws InterruptedException {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (!hasEveryMarker(first, last) && System.nanoTime() < deadline) {
                nackLost();
                Thread.sleep(50); // the next NACK a round trip later; a browser does the same
            }
            assertTrue(lost.isEmpty(), "still lost after NACKs: " + lost);
        }

        /** Sends one NACK for what is lost now, if anything is. */
        void nackLost() {
            int[] seqs = lost.stream().mapToInt(Integer::intValue).sorted().limit(100).toArray();
            if (seqs.length > 0) {
                byte[] rtcp = new byte[1500];
                int n = RtcpWriter.writeNack(rtcp, 0, 0x5B5B5B5B, videoSsrc, seqs, seqs.length);
                peer.sendRtcp(rtcp, 0, n);
            }
        }
    }
}
