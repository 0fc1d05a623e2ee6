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
 * subscriber accepted it and on the media SSRC when it did not. A simulcast publisher's layer that someone gets is
 * NACKed in its own numbering and repaired with RTX on its own RTX SSRC (learnt from repaired-rid), a layer nobody
 * gets is not NACKed; the subscriber's NACKs are answered from the layer it gets.
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
        Publisher alice = new Publisher(false);
        Subscriber bob = new Subscriber(true);
        alice.sendWarmUpUntil(bob::receivingVideo);
        MediaCounters c = sfu.counters();
        long recoveredBefore = c.recoveredPackets();

        // Every 10th packet is lost on the way in, and Bob loses another every 10th on the way out, once.
        int first = alice.nextSeqs[0];
        bob.dropFirstArrivalOf(seq -> Math.floorMod(seq - bob.firstVideoSeq(), 10) == 7);
        for (int i = 0; i < FRAMES; i++) {
            alice.sendRound(i % 10 != 5);
            if (i % 10 == 9) {
                bob.nackLost();
            }
        }
        int last = alice.nextSeqs[0] - 1;
        // Alice also retransmits a packet that made it: Bob must not get it twice.
        alice.retransmit(0, (first + 1) & 0xFFFF);
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
    void theLayerASubscriberGetsIsNackedAndRepairedWithItsOwnRtxAndALayerNobodyGetsIsNot() throws Exception {
        Publisher alice = new Publisher(true);
        Subscriber bob = new Subscriber(true);
        // A small tile: Bob gets q throughout (the layers would otherwise be chosen by a bandwidth estimate that
        // moves), and his NACKs must be answered from q's history, in q's numbering mapped to his.
        bob.participant.setVideoSize(alice.participant.id(), 320, 180).get(10, TimeUnit.SECONDS);
        alice.sendWarmUpUntil(() -> bob.receivingVideo() && bob.lastFrom(0));
        MediaCounters c = sfu.counters();
        long recoveredBefore = c.recoveredPackets();
        long retransmissionsBefore = c.retransmissionsReceived();
        long unrecoveredBefore = c.unrecoveredPackets();
        int bobFrom = bob.highestSeq();

        // Each layer loses every 10th packet on the way in (q and f at different places), and Bob loses another
        // every 10th of what he gets, once.
        bob.dropFirstArrivalOf(seq -> Math.floorMod(seq - bob.firstVideoSeq(), 10) == 5);
        for (int i = 0; i < FRAMES; i++) {
            alice.sendRound(i % 10 != 3, i % 10 != 7);
            if (i % 10 == 9) {
                bob.nackLost();
            }
        }
        bob.nackUntilRecovered();
        bob.awaitEverySequenceNumber(bobFrom);
        alice.awaitNacksForWhatWasLost(0);

        assertTrue(alice.dropped.get(0).size() >= FRAMES / 10, "q lost packets: " + alice.dropped.get(0));
        assertTrue(alice.nacked.get(0).containsAll(alice.dropped.get(0)),
                "Parley NACKed what layer q lost, on that layer's SSRC: " + alice.nacked.get(0));
        for (int seq : alice.nacked.get(0)) {
            assertTrue(((seq - alice.firstSeqs[0]) & 0xFFFF) < alice.sent(0), "NACKs for q name numbers of q: " + seq);
        }
        // f's losses came before q's last NACKs on the same 20 ms timer: had Parley asked for them, it had by now.
        assertTrue(alice.dropped.get(1).size() >= FRAMES / 10, "f lost packets: " + alice.dropped.get(1));
        assertEquals(Set.of(), alice.nacked.get(1), "nobody gets f: its losses cost the publisher's uplink nothing");
        int lost = alice.dropped.get(0).size();
        assertTrue(c.retransmissionsReceived() - retransmissionsBefore >= lost,
                "q's RTX packets are unwrapped: " + c.retransmissionsReceived());
        assertTrue(c.recoveredPackets() - recoveredBefore >= lost, "recovered: " + c.recoveredPackets());
        assertEquals(unrecoveredBefore, c.unrecoveredPackets(), "no packet was given up (f's are not asked for)");
        assertEquals(0, bob.mediaDuplicates.get(), "no packet reaches Bob twice on the media SSRC");
        assertTrue(bob.dropped.size() >= FRAMES / 10, "Bob lost packets: " + bob.dropped.size());
        assertTrue(bob.rtxReceived.get() >= bob.dropped.size(), "Bob's losses come back as RTX: " + bob.rtxReceived);
        assertEquals(0, bob.rtxWithUnknownOsn.get(), "every RTX packet carries a sequence number Bob asked for");
    }

    @Test
    void aSubscriberWithoutRtxGetsRetransmissionsOnTheMediaSsrc() throws Exception {
        Publisher alice = new Publisher(false);
        Subscriber carol = new Subscriber(false);
        alice.sendWarmUpUntil(carol::receivingVideo);
        int first = alice.nextSeqs[0];
        carol.dropFirstArrivalOf(seq -> Math.floorMod(seq - carol.firstVideoSeq(), 10) == 3);
        for (int i = 0; i < 100; i++) {
            alice.sendRound(true);
            if (i % 10 == 9) {
                carol.nackLost(); // promptly, as a browser does: a late resend on the media SSRC would be an SRTP replay
            }
        }
        int last = alice.nextSeqs[0] - 1;
        carol.nackUntilRecovered(first, last);
        assertTrue(carol.hasEveryMarker(first, last), "Carol receives every packet, lost ones resent");
        assertTrue(carol.dropped.size() >= 9, "Carol lost packets: " + carol.dropped);
        assertEquals(0, carol.rtxReceived.get(), "no RTX for a subscriber that did not accept it");
        assertEquals(0, carol.otherSsrc.get());
    }

    /**
     * Alice: publishes VP8 with RTX, as one stream or (with simulcast) as layers q and f (Chrome's offer with rtx
     * and the repaired-rid extension), each layer its own SSRC, numbering and RTX SSRC; answers Parley's NACKs for
     * a layer with RFC 4588 packets on that layer's RTX SSRC (naming the layer in repaired-rid). Every packet is a
     * one-packet VP8 keyframe carrying its layer and sequence number as the marker subscribers check.
     */
    private final class Publisher {
        static final List<String> RIDS = List.of("q", "f");
        static final int REPAIRED_RID_EXTENSION = 11;
        /** Where the payload carries its layer and sequence number (past the VP8 descriptor Parley rewrites). */
        static final int MARKER_AT = 20;
        /** The first sequence number of each layer: the single stream's and simulcast f's wrap during the tests. */
        final int[] firstSeqs;
        final int[] ssrcs;
        final int[] rtxSsrcs;
        final boolean simulcast;
        /** The next packet's number per layer, unwrapped (its low 16 bits are the sequence number). */
        final int[] nextSeqs;
        final List<Set<Integer>> dropped = List.of(ConcurrentHashMap.newKeySet(), ConcurrentHashMap.newKeySet());
        final List<Set<Integer>> nacked = List.of(ConcurrentHashMap.newKeySet(), ConcurrentHashMap.newKeySet());
        final AtomicInteger rtxSent = new AtomicInteger();
        final Participant participant;
        final SyntheticPeer peer;
        private final AtomicInteger rtxSeq = new AtomicInteger(40000);
        private final RtcpIterator rtcp = new RtcpIterator();
        private final NackIterator nack = new NackIterator();

        Publisher(boolean simulcast) throws Exception {
            this.simulcast = simulcast;
            firstSeqs = simulcast ? new int[] {1000, 65300} : new int[] {65400};
            ssrcs = simulcast ? new int[] {0x0D0D0D01, 0x0D0D0D03} : new int[] {VIDEO_SSRC};
            rtxSsrcs = simulcast ? new int[] {0x0E0E0E01, 0x0E0E0E03} : new int[] {VIDEO_RTX_SSRC};
            nextSeqs = firstSeqs.clone();
            peer = SyntheticPeer.open(simulcast ? "alice-simulcast" : "alice-pub", new SyntheticPeer.MediaHandler() {
                @Override
                public void onRtp(PacketBuffer packet, long receivedNanos) {}

                @Override
                public void onRtcp(PacketBuffer packet, long receivedNanos) {
                    onParleysRtcp(packet);
                }
            });
            closeLater.add(peer);
            Participant alice = sfu.join("room", "Alice", new ParticipantListener.Ignoring()).get(10, TimeUnit.SECONDS);
            participant = alice;
            closeLater.add(() -> alice.leave(LeaveReason.LEFT));
            String answer = alice.publish(simulcast ? simulcastOffer() : peer.publisherOffer(AUDIO_SSRC, VIDEO_SSRC, VIDEO_RTX_SSRC))
                    .get(10, TimeUnit.SECONDS);
            assertTrue(answer.contains("rtx/90000"), "Parley accepts VP8's retransmission format: " + answer);
            if (simulcast) {
                assertTrue(answer.contains("a=simulcast:recv q;f") && answer.contains("repaired-rtp-stream-id"),
                        "Parley takes rtx for the layers: " + answer);
            }
            peer.acceptAnswer(answer);
            peer.connect(TIMEOUT);
        }

        private String simulcastOffer() {
            return peer.simulcastPublisherOffer(AUDIO_SSRC, RIDS)
                    .replace("UDP/TLS/RTP/SAVPF 96\r\n", "UDP/TLS/RTP/SAVPF 96 97\r\n")
                    .replace("a=rtpmap:96 VP8/90000\r\n", "a=rtpmap:96 VP8/90000\r\na=rtpmap:97 rtx/90000\r\n"
                            + "a=fmtp:97 apt=96\r\n")
                    .replace("sdes:rtp-stream-id\r\n", "sdes:rtp-stream-id\r\na=extmap:" + REPAIRED_RID_EXTENSION
                            + " urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id\r\n");
        }

        /** How many packets of {@code layer} were sent (or pretended to be). */
        int sent(int layer) {
            return nextSeqs[layer] - firstSeqs[layer];
        }

        void sendWarmUpUntil(BooleanSupplier done) throws Exception {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (!done.getAsBoolean()) {
                if (System.nanoTime() > deadline) {
                    fail("the subscriber never received video");
                }
                sendRound(true, true);
            }
        }

        /** Waits until Parley has NACKed every packet a layer lost (the last losses are asked for a tick later). */
        void awaitNacksForWhatWasLost(int layer) throws InterruptedException {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (!nacked.get(layer).containsAll(dropped.get(layer)) && System.nanoTime() < deadline) {
                Thread.sleep(20); // the NACK timer's period; polled until the condition holds
            }
        }

        /**
         * One packet of each layer (the single stream's: the first flag), each sent or only pretended to be (lost
         * on the way to Parley).
         */
        void sendRound(boolean... arrives) throws InterruptedException {
            for (int layer = 0; layer < ssrcs.length; layer++) {
                int seq = nextSeqs[layer] & 0xFFFF;
                nextSeqs[layer]++;
                if (arrives[layer]) {
                    send(ssrcs[layer], SyntheticPeer.VP8_PAYLOAD_TYPE, seq, seq, layer, payload(layer, seq));
                } else {
                    dropped.get(layer).add(seq);
                }
            }
            Thread.sleep(2L * ssrcs.length); // a steady packet rate, like a camera's, not a wait for anything
        }

        /** Retransmits {@code layer}'s packet {@code seq} as RFC 4588 on the layer's RTX SSRC. */
        void retransmit(int layer, int seq) {
            byte[] media = payload(layer, seq);
            byte[] rtx = new byte[media.length + RtxPacket.OSN_LENGTH];
            rtx[0] = (byte) (seq >>> 8);
            rtx[1] = (byte) seq;
            System.arraycopy(media, 0, rtx, 2, media.length);
            send(rtxSsrcs[layer], SyntheticPeer.RTX_PAYLOAD_TYPE, rtxSeq.getAndIncrement() & 0xFFFF, seq, layer, rtx);
            rtxSent.incrementAndGet();
        }

        /** A simulcast packet names its layer: its rid, or on an RTX SSRC its repaired-rid. */
        private void send(int ssrc, int payloadType, int seq, int mediaSeq, int layer, byte[] payload) {
            if (!simulcast) {
                peer.sendRtp(ssrc, payloadType, seq, mediaSeq * 3000, payload);
                return;
            }
            int extension = payloadType == SyntheticPeer.RTX_PAYLOAD_TYPE ? REPAIRED_RID_EXTENSION : SyntheticPeer.RID_EXTENSION;
            peer.sendRtpWithExtension(ssrc, payloadType, true, seq, mediaSeq * 3000, extension,
                    RIDS.get(layer).getBytes(java.nio.charset.StandardCharsets.US_ASCII), payload);
        }

        private void onParleysRtcp(PacketBuffer p) {
            byte[] b = p.array();
            if (!rtcp.reset(b, p.offset(), p.length())) {
                return;
            }
            while (rtcp.next()) {
                if (!RtcpFeedback.isNack(rtcp.type(), rtcp.count())) {
                    continue;
                }
                int media = RtcpFeedback.mediaSsrc(b, rtcp.offset());
                for (int layer = 0; layer < ssrcs.length; layer++) {
                    if (media == ssrcs[layer]) {
                        nack.reset(b, rtcp.offset(), rtcp.length());
                        while (nack.hasNext()) {
                            int seq = nack.nextSequenceNumber();
                            nacked.get(layer).add(seq);
                            retransmit(layer, seq);
                        }
                    }
                }
            }
        }

        /** A one-packet VP8 keyframe of the layer's size, with the layer and sequence number as marker. */
        static byte[] payload(int layer, int seq) {
            byte[] p = new byte[100];
            p[0] = (byte) 0x90; // X, S, partition 0
            p[1] = (byte) 0xC0; // picture ID, TL0PICIDX
            p[2] = (byte) (0x80 | ((seq >> 8) & 0x7F));
            p[3] = (byte) seq;
            p[4] = (byte) seq;
            p[5] = 0x00; // keyframe
            p[8] = (byte) 0x9D;
            p[9] = 0x01;
            p[10] = 0x2A;
            int width = layer == 0 ? 320 : 1280;
            int height = layer == 0 ? 180 : 720;
            p[11] = (byte) width;
            p[12] = (byte) (width >> 8);
            p[13] = (byte) height;
            p[14] = (byte) (height >> 8);
            SyntheticPeer.putInt(p, MARKER_AT, layer << 16 | seq);
            return p;
        }
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
        /** Sequence numbers (as Parley sent them) that arrived, first transmission or RTX. */
        final Set<Integer> seqsReceived = ConcurrentHashMap.newKeySet();
        private volatile int firstVideoSeq = -1;
        private volatile int highestSeq = -1;
        private volatile int lastLayer = -1;
        private volatile java.util.function.IntPredicate dropFirst = seq -> false;
        final Participant participant;

        Subscriber(boolean acceptRtx) throws Exception {
            BlockingQueue<String> offers = new LinkedBlockingQueue<>();
            Participant self = sfu.join("room", acceptRtx ? "Bob" : "Carol", new ParticipantListener.Ignoring() {
                @Override
                public void onSubscriberOffer(String sdp, int version) {
                    offers.add(version + "\n" + sdp);
                }
            }).get(10, TimeUnit.SECONDS);
            closeLater.add(() -> self.leave(LeaveReason.LEFT));
            participant = self;
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

        int highestSeq() {
            return highestSeq;
        }

        /** Whether the last first transmission to arrive was of simulcast layer {@code layer} (marker's top half). */
        boolean lastFrom(int layer) {
            return lastLayer == layer;
        }

        /**
         * Waits until every sequence number Parley used for this subscriber after {@code after} up to the highest
         * arrived: the stream it got has no hole, whatever it lost and whichever layer it came from.
         */
        void awaitEverySequenceNumber(int after) throws InterruptedException {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            List<Integer> missing = holesAfter(after);
            while (!missing.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50); // retransmissions on their way; polled, not assumed
                missing = holesAfter(after);
            }
            assertTrue(missing.isEmpty(), "sequence numbers never received: " + missing);
        }

        private List<Integer> holesAfter(int after) {
            List<Integer> holes = new ArrayList<>();
            int span = (highestSeq - after) & 0xFFFF;
            for (int i = 1; i <= span; i++) {
                if (!seqsReceived.contains((after + i) & 0xFFFF)) {
                    holes.add((after + i) & 0xFFFF);
                }
            }
            return holes;
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
                    highestSeq = seq;
                } else if (((seq - highestSeq) & 0xFFFF) < 0x8000) {
                    highestSeq = seq;
                }
                seqsReceived.add(seq);
                lost.remove(seq);
                record(b, RtpHeader.payloadOffset(b, off), true);
            } else if (ssrc == rtxSsrc) {
                rtxReceived.incrementAndGet();
                int osn = RtxPacket.decapsulate(p, videoSsrc, 96);
                if (osn < 0 || !dropped.contains(osn)) {
                    rtxWithUnknownOsn.incrementAndGet();
                } else if (lost.remove(osn)) {
                    seqsReceived.add(osn);
                    record(b, RtpHeader.payloadOffset(b, off), false);
                }
            } else if (RtpHeader.payloadType(b, off) != 111) {
                otherSsrc.incrementAndGet();
            }
        }

        private void record(byte[] b, int payload, boolean media) {
            int marker = SyntheticPeer.getInt(b, payload + Publisher.MARKER_AT);
            if (media) {
                lastLayer = marker >>> 16;
            }
            Boolean before = markers.put(marker, Boolean.TRUE);
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
            nackUntil(() -> hasEveryMarker(first, last));
        }

        /** NACKs what is lost until nothing this subscriber dropped is missing, or the time is up. */
        void nackUntilRecovered() throws InterruptedException {
            nackUntil(lost::isEmpty);
        }

        private void nackUntil(BooleanSupplier done) throws InterruptedException {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (!done.getAsBoolean() && System.nanoTime() < deadline) {
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
