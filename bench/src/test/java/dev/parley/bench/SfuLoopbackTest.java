package dev.parley.bench;

import dev.parley.loadtest.SyntheticPeer;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.parley.sfu.LeaveReason;
import dev.parley.sfu.MediaKind;
import dev.parley.sfu.Participant;
import dev.parley.sfu.ParticipantListener;
import dev.parley.sfu.SfuConfig;
import dev.parley.sfu.SfuServer;
import dev.parley.sfu.StreamStats;
import dev.parley.sfu.tap.TapOptions;
import dev.parley.sfu.tap.TapPacket;
import dev.parley.sfu.tap.TapSenderReport;
import dev.parley.sfu.tap.TappedTrack;
import dev.parley.sfu.tap.TrackRemoval;
import dev.parley.sfu.tap.TrackTap;
import dev.parley.sfu.tap.TrackTapListener;
import dev.parley.sfu.packet.PacketBuffer;
import dev.parley.sfu.rtp.RtcpFeedback;
import dev.parley.sfu.rtp.RtcpIterator;
import dev.parley.sfu.rtp.NtpTime;
import dev.parley.sfu.rtp.RtcpWriter;
import dev.parley.sfu.sdp.MediaSection;
import dev.parley.sfu.sdp.SessionDescription;
import dev.parley.sfu.srtp.SrtpProfile;
import dev.parley.sfu.srtp.SrtpSession;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three synthetic participants meet through a real {@link SfuServer} over UDP on 127.0.0.1: ICE, DTLS-SRTP,
 * forwarding with SSRC and sequence rewriting, NACK answered from history, PLI throttling, and removal of a
 * participant whose consent expired; and track taps on that meeting ({@link TrackTaps}).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SfuLoopbackTest {
    private static final Duration CONSENT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration CONSENT_INTERVAL = Duration.ofMillis(300);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final int PACKETS = 40;
    private static final int AUDIO_PAYLOAD = 120;
    private static final int VIDEO_PAYLOAD = 1000;

    private SfuServer sfu;
    private final List<Member> members = new ArrayList<>();

    /** The source of a stream as a subscriber offer announces it. */
    record Source(String participantId, MediaKind kind, int payloadType) {}

    /** An RTP packet a subscriber received, decrypted. */
    record Received(int ssrc, int payloadType, int seq, int timestamp, byte[] payload) {}

    /** One participant: the SFU-side handle, its two synthetic peer connections, and what it observed. */
    final class Member extends ParticipantListener.Ignoring {
        final String name;
        final int audioSsrc = ThreadLocalRandom.current().nextInt() | 1;
        final int videoSsrc = ThreadLocalRandom.current().nextInt() | 2;
        final SyntheticPeer publisher;
        final SyntheticPeer subscriber;
        final SubscriberOffers offers;
        final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Long> plisForVideo = new ConcurrentLinkedQueue<>();
        final List<String> leftByTimeout = new CopyOnWriteArrayList<>();
        final List<LeaveReason> removed = new CopyOnWriteArrayList<>();
        volatile Map<Integer, Source> sources = Map.of();
        volatile int activeSections;
        Participant participant;

        Member(String name) throws Exception {
            this.name = name;
            this.publisher = SyntheticPeer.open(name + "-pub", new SyntheticPeer.MediaHandler() {
                @Override
                public void onRtp(PacketBuffer p, long at) {}

                @Override
                public void onRtcp(PacketBuffer p, long at) {
                    RtcpIterator it = new RtcpIterator();
                    if (it.reset(p.array(), p.offset(), p.length())) {
                        while (it.next()) {
                            if (RtcpFeedback.isPli(it.type(), it.count())
                                    && RtcpFeedback.mediaSsrc(p.array(), it.offset()) == videoSsrc) {
                                plisForVideo.add(at);
                            }
                        }
                    }
                }
            });
            this.subscriber = SyntheticPeer.open(name + "-sub", (p, at) -> {
                byte[] b = p.array();
                int o = p.offset();
                int seq = ((b[o + 2] & 0xFF) << 8) | (b[o + 3] & 0xFF);
                byte[] payload = new byte[p.length() - 12];
                System.arraycopy(b, o + 12, payload, 0, payload.length);
                received.add(new Received(SyntheticPeer.getInt(b, o + 8), b[o + 1] & 0x7F, seq,
                        SyntheticPeer.getInt(b, o + 4), payload));
            });
            this.offers = new SubscriberOffers(subscriber);
        }

        @Override
        public void onSubscriberOffer(String sdp, int version) {
            offers.add(sdp, version);
        }

        @Override
        public void onParticipantLeft(String participantId, LeaveReason reason) {
            if (reason == LeaveReason.TIMEOUT) {
                leftByTimeout.add(participantId);
            }
        }

        @Override
        public void onRemoved(LeaveReason reason) {
            removed.add(reason);
        }

        /** Answers the newest pending subscriber offer, if any; connects the subscriber peer on the first. */
        void answerOffers() throws Exception {
            if (offers.answerNewest(participant)) {
                readSources(offers.lastAnswered);
            }
        }

        private void readSources(String offer) throws Exception {
            Map<Integer, Source> bySsrc = new HashMap<>();
            int active = 0;
            for (MediaSection m : SessionDescription.parse(offer).media()) {
                if (!m.direction().equals("sendonly")) {
                    continue;
                }
                active++;
                String ssrcLine = m.attributes("ssrc").get(0);
                int ssrc = (int) Long.parseLong(ssrcLine.substring(0, ssrcLine.indexOf(' ')));
                String participantId = m.attribute("msid").split(" ")[0];
                bySsrc.put(ssrc, new Source(participantId, MediaKind.valueOf(m.kind().toUpperCase()),
                        Integer.parseInt(m.formats().get(0))));
            }
            sources = Map.copyOf(bySsrc);
            activeSections = active;
        }

        /** The SSRC this member's subscriber receives {@code from}'s stream of {@code kind} under. */
        int ssrcFor(Member from, MediaKind kind) {
            for (Map.Entry<Integer, Source> e : sources.entrySet()) {
                if (e.getValue().participantId().equals(from.participant.id()) && e.getValue().kind() == kind) {
                    return e.getKey();
                }
            }
            throw new AssertionError(name + " was offered no " + kind + " from " + from.name + ": " + sources);
        }

        List<Received> receivedOn(int ssrc) {
            List<Received> list = new ArrayList<>();
            for (Received r : received) {
                if (r.ssrc() == ssrc) {
                    list.add(r);
                }
            }
            return list;
        }

        void sendMedia(int firstSeq, int count) {
            for (int i = 0; i < count; i++) {
                int seq = (firstSeq + i) & 0xFFFF;
                assertTrue(publisher.sendRtp(audioSsrc, SyntheticPeer.OPUS_PAYLOAD_TYPE, seq, 960 * i,
                        payload(audioSsrc, seq, AUDIO_PAYLOAD)));
                assertTrue(publisher.sendRtp(videoSsrc, SyntheticPeer.VP8_PAYLOAD_TYPE, seq, 3000 * i,
                        payload(videoSsrc, seq, VIDEO_PAYLOAD)));
            }
        }

        void close() {
            publisher.close();
            subscriber.close();
        }
    }

    @BeforeAll
    static void measureSrtpBackends() {
        // The first SRTP session measures the cipher implementations (a while, on a cold JVM). Done on the SFU's
        // media thread it stalls consent handling, so do it up front, as a server does at start-up.
        SrtpSession.cryptoBackend();
    }

    @BeforeEach
    void threeParticipantsPublishAndSubscribe() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        sfu = SfuServer.start(new SfuConfig(loopback, 0, List.of(loopback), CONSENT_TIMEOUT, 10));
        for (String name : List.of("ada", "bob", "cy")) {
            Member m = new Member(name);
            members.add(m);
            m.participant = sfu.join("loopback", name, m).get(5, TimeUnit.SECONDS);
        }
        for (Member m : members) {
            String answer = m.participant.publish(m.publisher.publisherOffer(m.audioSsrc, m.videoSsrc)).get(5, TimeUnit.SECONDS);
            m.publisher.acceptAnswer(answer);
            m.publisher.connect(CONNECT_TIMEOUT, CONSENT_INTERVAL, SrtpProfile.AEAD_AES_128_GCM);
            for (Member other : members) {
                other.answerOffers();
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!members.stream().allMatch(m -> m.activeSections == 4 && m.subscriber.connected() && m.offers.isEmpty())) {
            if (System.nanoTime() > deadline) {
                fail("subscriptions did not settle: " + members.stream().map(m -> m.name + "=" + m.activeSections).toList());
            }
            for (Member m : members) {
                m.answerOffers();
            }
            Thread.onSpinWait();
        }
    }

    @AfterEach
    void stop() {
        members.forEach(Member::close);
        if (sfu != null) {
            sfu.close();
        }
    }

    @Test
    void everyoneReceivesTheOthersMediaRewrittenAndIntact() {
        for (Member m : members) {
            m.sendMedia(1000, PACKETS);
        }
        await("every subscriber has every stream", Duration.ofSeconds(5),
                () -> members.stream().allMatch(m -> m.received.size() >= 4 * PACKETS));
        for (Member sub : members) {
            assertEquals(4 * PACKETS, sub.received.size(), sub.name + " received a wrong number of packets");
            for (Member pub : members) {
                if (pub == sub) {
                    continue;
                }
                checkStream(sub, pub, MediaKind.AUDIO, pub.audioSsrc, AUDIO_PAYLOAD);
                checkStream(sub, pub, MediaKind.VIDEO, pub.videoSsrc, VIDEO_PAYLOAD);
            }
        }
        assertTrue(sfu.counters().forwardedPackets() >= 3 * 4 * PACKETS);
    }

    @Test
    void eachParticipantsMediaIsCountedBothWaysAndSubscriberLossReportsAreRead() {
        for (Member m : members) {
            m.sendMedia(5000, PACKETS);
        }
        Member ada = members.get(0);
        Member bob = members.get(1);
        await("the once-a-second stats show ada's published packets", Duration.ofSeconds(5), () ->
                stat(ada, MediaKind.VIDEO, StreamStats.Direction.INBOUND).packets() == PACKETS
                        && stat(ada, MediaKind.VIDEO, StreamStats.Direction.OUTBOUND).packets() == 2L * PACKETS);
        StreamStats in = stat(ada, MediaKind.VIDEO, StreamStats.Direction.INBOUND);
        assertTrue(in.bytes() >= (long) PACKETS * (12 + VIDEO_PAYLOAD), "bytes count whole RTP packets: " + in);
        assertEquals(0, in.packetsLost());

        // Bob reports 7 packets lost and some jitter on ada's video, as a browser's receiver report would.
        int videoFromAda = bob.ssrcFor(ada, MediaKind.VIDEO);
        byte[] rr = new byte[64];
        rr[0] = (byte) 0x81;
        rr[1] = (byte) 201;
        rr[3] = 7; // length in words - 1: header + sender SSRC + one block
        SyntheticPeer.putInt(rr, 4, 0x0B0B0B0B);
        dev.parley.sfu.rtp.ReportBlock.write(rr, 8, videoFromAda, 10, 7, 5000 + PACKETS, 900, 0, 0);
        assertTrue(bob.subscriber.sendRtcp(rr, 0, 32));
        await("bob's report is in his outbound stats", Duration.ofSeconds(5), () ->
                stat(bob, MediaKind.VIDEO, StreamStats.Direction.OUTBOUND).packetsLost() == 7);
        assertEquals(0.01, stat(bob, MediaKind.VIDEO, StreamStats.Direction.OUTBOUND).jitterSeconds(), 1e-9,
                "900 ticks of the 90 kHz video clock");

        // Round-trip time: ada's sender report is relayed to bob; bob's next report echoes it (LSR) with the
        // time he held it (DLSR), and Parley subtracts both from its own clock.
        long ntp = NtpTime.fromUnixNanos(System.currentTimeMillis() * 1_000_000L);
        byte[] sr = new byte[64];
        long rtcpBefore = bob.subscriber.rtcpReceived();
        int srLength = RtcpWriter.writeSenderReport(sr, 0, ada.videoSsrc, ntp, 3000 * PACKETS, PACKETS, 0);
        assertTrue(ada.publisher.sendRtcp(sr, 0, srLength));
        await("bob gets ada's sender report", Duration.ofSeconds(5), () -> bob.subscriber.rtcpReceived() > rtcpBefore);
        dev.parley.sfu.rtp.ReportBlock.write(rr, 8, videoFromAda, 10, 7, 5000 + PACKETS, 900,
                NtpTime.middle32(ntp), 0); // answered at once (DLSR 0): the RTT is all the time that passed
        assertTrue(bob.subscriber.sendRtcp(rr, 0, 32));
        await("bob's round-trip time is known", Duration.ofSeconds(5), () ->
                !Double.isNaN(stat(bob, MediaKind.VIDEO, StreamStats.Direction.OUTBOUND).roundTripSeconds()));
        double rtt = stat(bob, MediaKind.VIDEO, StreamStats.Direction.OUTBOUND).roundTripSeconds();
        assertTrue(rtt >= 0 && rtt < 1.0, "a loopback round trip plus the test's own turnaround: " + rtt);
    }

    private static StreamStats stat(Member m, MediaKind kind, StreamStats.Direction direction) {
        return m.participant.mediaStats().stream()
                .filter(s -> s.kind() == kind && s.direction() == direction)
                .findFirst().orElse(new StreamStats(kind, direction, -1, -1, -1, -1, Double.NaN));
    }

    private static void checkStream(Member sub, Member pub, MediaKind kind, int originalSsrc, int payloadLength) {
        int ssrc = sub.ssrcFor(pub, kind);
        assertTrue(ssrc != originalSsrc, "the SFU must rewrite the SSRC towards each subscriber");
        List<Received> packets = sub.receivedOn(ssrc);
        String what = sub.name + " receiving " + pub.name + "'s " + kind;
        assertEquals(PACKETS, packets.size(), what);
        int expectedPt = sub.sources.get(ssrc).payloadType();
        for (int i = 0; i < packets.size(); i++) {
            Received r = packets.get(i);
            assertEquals(expectedPt, r.payloadType(), what + ": payload type of the subscriber offer");
            assertEquals((packets.get(0).seq() + i) & 0xFFFF, r.seq(), what + ": sequence numbers contiguous");
            assertEquals(originalSsrc, SyntheticPeer.getInt(r.payload(), 0), what + ": payload from the right publisher");
            int originalSeq = ((r.payload()[4] & 0xFF) << 8) | (r.payload()[5] & 0xFF);
            assertEquals(1000 + i, originalSeq, what + ": in order");
            assertArrayEquals(payload(originalSsrc, originalSeq, payloadLength), r.payload(), what + ": payload intact");
            assertEquals((kind == MediaKind.AUDIO ? 960 : 3000) * i, r.timestamp(), what + ": timestamp kept");
        }
    }

    @Test
    void aNackIsAnsweredFromTheSendHistory() {
        Member ada = members.get(0);
        Member bob = members.get(1);
        int videoFromAda = bob.ssrcFor(ada, MediaKind.VIDEO);
        int[] lost = {-1};
        int[] seen = {0};
        bob.subscriber.setLossFilter((ssrc, seq) -> {
            if (ssrc == videoFromAda && ++seen[0] == 10) {
                lost[0] = seq;
                return true;
            }
            return false;
        });
        ada.sendMedia(2000, PACKETS);
        await("bob has ada's video but the lost packet", Duration.ofSeconds(5),
                () -> bob.receivedOn(videoFromAda).size() == PACKETS - 1);
        assertTrue(lost[0] >= 0);
        bob.subscriber.setLossFilter(null);

        byte[] nack = new byte[64];
        int n = RtcpWriter.writeNack(nack, 0, 0x0B0B0B0B, videoFromAda, new int[] {lost[0]}, 1);
        assertTrue(bob.subscriber.sendRtcp(nack, 0, n));
        await("the lost packet is retransmitted", Duration.ofSeconds(2),
                () -> bob.receivedOn(videoFromAda).stream().anyMatch(r -> r.seq() == lost[0]));
        Received resent = bob.receivedOn(videoFromAda).stream().filter(r -> r.seq() == lost[0]).findFirst().orElseThrow();
        int originalSeq = ((resent.payload()[4] & 0xFF) << 8) | (resent.payload()[5] & 0xFF);
        assertEquals(2000 + 9, originalSeq, "the retransmission is the packet that was lost");
        assertArrayEquals(payload(ada.videoSsrc, originalSeq, VIDEO_PAYLOAD), resent.payload());
    }

    @Test
    void twoPlisWithinTenMillisecondsReachThePublisherAsOne() {
        Member ada = members.get(0);
        Member bob = members.get(1);
        int videoFromAda = bob.ssrcFor(ada, MediaKind.VIDEO);
        byte[] pli = new byte[32];
        int n = RtcpWriter.writePli(pli, 0, 0x0B0B0B0B, videoFromAda);
        // The claim needs two PLIs sent within 10 ms of each other; a loaded machine can pause this thread between
        // the two sends, and such an attempt proves nothing either way, so it is repeated (a few times at most).
        for (int attempt = 1; ; attempt++) {
            // Subscribers joining asked for keyframes already; let the throttle's interval pass since the last one.
            await("the earlier keyframe requests are over", Duration.ofSeconds(3), () -> {
                Long last = null;
                for (Long t : ada.plisForVideo) {
                    last = t;
                }
                return last == null || System.nanoTime() - last > TimeUnit.MILLISECONDS.toNanos(400);
            });
            int before = ada.plisForVideo.size();
            long sent = System.nanoTime();
            assertTrue(bob.subscriber.sendRtcp(pli, 0, n));
            assertTrue(bob.subscriber.sendRtcp(pli, 0, n));
            boolean together = System.nanoTime() - sent < TimeUnit.MILLISECONDS.toNanos(10);
            await("a PLI reaches ada", Duration.ofSeconds(2), () -> ada.plisForVideo.size() > before);
            // The second PLI could only arrive right behind the first: give it well over a loopback round trip.
            long settle = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
            while (System.nanoTime() < settle) {
                Thread.onSpinWait();
            }
            if (together) {
                assertEquals(before + 1, ada.plisForVideo.size(), "two PLIs within the throttle interval forward as one");
                return;
            }
            assertTrue(attempt < 5, "in 5 attempts the test could not send two PLIs within 10 ms of each other");
        }
    }

    @Test
    void aParticipantWhoseConsentExpiresIsRemovedAndTheOthersAreTold() {
        Member cy = members.get(2);
        cy.publisher.stopConsent();
        cy.subscriber.stopConsent();
        String cyId = cy.participant.id();
        // Consent is checked once a second, so removal comes between the timeout and a second after it.
        await("ada and bob see cy leave by timeout", CONSENT_TIMEOUT.plusSeconds(3),
                () -> members.get(0).leftByTimeout.contains(cyId) && members.get(1).leftByTimeout.contains(cyId));
        assertEquals(List.of(LeaveReason.TIMEOUT), cy.removed);
        assertTrue(members.get(0).removed.isEmpty() && members.get(1).removed.isEmpty(), "the others stay");
        assertNotNull(sfu.findRoom("loopback").orElseThrow());
        assertEquals(2, sfu.findRoom("loopback").orElseThrow().size());
    }

    /** Payload of a test packet: the publisher's SSRC, its sequence number, then bytes derived from both. */
    static byte[] payload(int ssrc, int seq, int length) {
        byte[] p = new byte[length];
        p[0] = (byte) (ssrc >>> 24);
        p[1] = (byte) (ssrc >>> 16);
        p[2] = (byte) (ssrc >>> 8);
        p[3] = (byte) ssrc;
        p[4] = (byte) (seq >>> 8);
        p[5] = (byte) seq;
        int seed = ssrc * 31 + seq;
        for (int i = 6; i < length; i++) {
            p[i] = (byte) (seed + i * 7);
        }
        return p;
    }

    private static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + timeout.toMillis() + " ms waiting until " + what);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CompletionException(e);
            }
        }
    }

    /** A track tap on the meeting: decrypted RTP and sender reports off the media loop, keyframes, a stalled tap. */
    @Nested
    class TrackTaps {
        /** An RTP packet a tap received. */
        record Tapped(String trackId, int ssrc, int payloadType, int seq, long timestamp, byte[] payload) {}

        /** Records what the tap delivers; {@code onRtp} waits while {@link #stall} is closed. */
        final class TapRecorder implements TrackTapListener {
            final List<TappedTrack> tracks = new CopyOnWriteArrayList<>();
            final ConcurrentLinkedQueue<Tapped> packets = new ConcurrentLinkedQueue<>();
            final ConcurrentLinkedQueue<Map.Entry<String, TapSenderReport>> reports = new ConcurrentLinkedQueue<>();
            final java.util.concurrent.CountDownLatch stall;
            volatile boolean closed;

            TapRecorder(boolean stalled) {
                stall = new java.util.concurrent.CountDownLatch(stalled ? 1 : 0);
            }

            @Override
            public void onTrackAdded(TappedTrack track) {
                tracks.add(track);
            }

            @Override
            public void onRtp(TappedTrack track, TapPacket p) {
                try {
                    stall.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                byte[] payload = java.util.Arrays.copyOfRange(p.array(), p.payloadOffset(), p.payloadOffset() + p.payloadLength());
                packets.add(new Tapped(track.trackId(), p.ssrc(), p.payloadType(), p.sequenceNumber(), p.timestamp(), payload));
            }

            @Override
            public void onSenderReport(TappedTrack track, TapSenderReport report) {
                reports.add(Map.entry(track.trackId(), report));
            }

            @Override
            public void onTrackRemoved(TappedTrack track, TrackRemoval reason) {}

            @Override
            public void onClosed() {
                closed = true;
            }

            TappedTrack track(Member m, MediaKind kind) {
                return tracks.stream().filter(t -> t.participantId().equals(m.participant.id()) && t.kind() == kind)
                        .findFirst().orElseThrow(() -> new AssertionError("no tapped " + kind + " of " + m.name + ": " + tracks));
            }
        }

        private TrackTap open(TapRecorder recorder, TapOptions options) throws Exception {
            TrackTap tap = sfu.findRoom("loopback").orElseThrow().addTap(recorder, options).get(5, TimeUnit.SECONDS);
            await("the tap hears of the six published tracks", Duration.ofSeconds(5), () -> recorder.tracks.size() == 6);
            return tap;
        }

        @Test
        void aTapReceivesEachTrackInOrderOfArrivalWithItsCodecAndSenderReports() throws Exception {
            TapRecorder rec = new TapRecorder(false);
            try (TrackTap tap = open(rec, TapOptions.defaults())) {
                Member ada = members.get(0);
                TappedTrack audio = rec.track(ada, MediaKind.AUDIO);
                TappedTrack video = rec.track(ada, MediaKind.VIDEO);
                assertEquals(List.of("opus", 111, 48000, 2, "minptime=10;useinbandfec=1"),
                        List.of(audio.codec(), audio.payloadType(), audio.clockRate(), audio.channels(), audio.fmtp()));
                assertEquals(List.of("VP8", 96, 90000), List.of(video.codec(), video.payloadType(), video.clockRate()));

                ada.sendMedia(1000, PACKETS);
                long ntp = NtpTime.fromUnixNanos(System.currentTimeMillis() * 1_000_000L);
                byte[] sr = new byte[64];
                int srLength = RtcpWriter.writeSenderReport(sr, 0, ada.videoSsrc, ntp, 3000 * PACKETS, PACKETS, 12345);
                assertTrue(ada.publisher.sendRtcp(sr, 0, srLength));
                await("the tap has ada's packets and sender report", Duration.ofSeconds(5),
                        () -> rec.packets.size() >= 2 * PACKETS && !rec.reports.isEmpty());

                List<Tapped> got = new ArrayList<>(rec.packets);
                assertEquals(2 * PACKETS, got.size());
                for (int i = 0; i < PACKETS; i++) {
                    // sendMedia interleaves: audio i, then video i. The tap sees them as they arrived.
                    Tapped a = got.get(2 * i);
                    Tapped v = got.get(2 * i + 1);
                    assertEquals(new Tapped(audio.trackId(), ada.audioSsrc, 111, 1000 + i, 960L * i, a.payload()), a, "audio " + i);
                    assertEquals(new Tapped(video.trackId(), ada.videoSsrc, 96, 1000 + i, 3000L * i, v.payload()), v, "video " + i);
                    assertArrayEquals(payload(ada.audioSsrc, 1000 + i, AUDIO_PAYLOAD), a.payload(), "audio payload " + i);
                    assertArrayEquals(payload(ada.videoSsrc, 1000 + i, VIDEO_PAYLOAD), v.payload(), "video payload " + i);
                }
                Map.Entry<String, TapSenderReport> report = rec.reports.peek();
                assertEquals(video.trackId(), report.getKey());
                assertEquals(ntp, report.getValue().ntpTimestamp());
                assertEquals(3000L * PACKETS, report.getValue().rtpTimestamp());
                assertEquals(PACKETS, report.getValue().packetCount());
                assertEquals(12345, report.getValue().octetCount());
                assertEquals(System.currentTimeMillis() * 1_000_000L, report.getValue().unixNanos(), 1e9, "NTP as Unix time");
                assertEquals(2 * PACKETS + 1, tap.deliveredPackets());
                assertEquals(0, tap.droppedPackets());
            }
            await("the closed tap's listener is told", Duration.ofSeconds(5), () -> rec.closed);
        }

        @Test
        void aTapsKeyframeRequestReachesThePublisherThroughTheThrottle() throws Exception {
            TapRecorder rec = new TapRecorder(false);
            try (TrackTap tap = open(rec, TapOptions.defaults())) {
                Member ada = members.get(0);
                // Opening the tap asked for keyframes already; let the throttle's interval pass since the last PLI.
                await("earlier keyframe requests are over", Duration.ofSeconds(3), () -> {
                    Long last = null;
                    for (Long t : ada.plisForVideo) {
                        last = t;
                    }
                    return last != null && System.nanoTime() - last > TimeUnit.MILLISECONDS.toNanos(400);
                });
                int before = ada.plisForVideo.size();
                assertTrue(tap.requestKeyframe(rec.track(ada, MediaKind.VIDEO).trackId()));
                await("the tap's PLI reaches ada", Duration.ofSeconds(2), () -> ada.plisForVideo.size() > before);
                assertFalse(tap.requestKeyframe(rec.track(ada, MediaKind.AUDIO).trackId()), "audio has no keyframes");
                assertFalse(tap.requestKeyframe("no-such-track"));
            }
        }

        @Test
        void aTapThatNeverReadsDoesNotChangeWhatSubscribersReceive() throws Exception {
            TapRecorder rec = new TapRecorder(true);
            TrackTap tap = open(rec, TapOptions.withQueue(16));
            try {
                Member ada = members.get(0);
                ada.sendMedia(1000, PACKETS);
                await("bob and cy have all of ada's packets", Duration.ofSeconds(5), () ->
                        members.get(1).receivedOn(members.get(1).ssrcFor(ada, MediaKind.VIDEO)).size() == PACKETS
                                && members.get(2).receivedOn(members.get(2).ssrcFor(ada, MediaKind.VIDEO)).size() == PACKETS);
                for (Member sub : List.of(members.get(1), members.get(2))) {
                    checkStream(sub, ada, MediaKind.AUDIO, ada.audioSsrc, AUDIO_PAYLOAD);
                    checkStream(sub, ada, MediaKind.VIDEO, ada.videoSsrc, VIDEO_PAYLOAD);
                }
                // The queue's 16 slots are full (the listener holds the first, stalled); the rest were dropped.
                await("the tap counts what it dropped", Duration.ofSeconds(2),
                        () -> tap.droppedPackets() == 2 * PACKETS - 16);
            } finally {
                rec.stall.countDown();
            }
            await("the tap catches up on what it queued", Duration.ofSeconds(5), () -> tap.deliveredPackets() == 16);
            assertEquals(2 * PACKETS, tap.deliveredPackets() + tap.droppedPackets());
            tap.close();
        }

        @Test
        void aClosedTapIsDetachedFromTheMediaPath() throws Exception {
            TapRecorder rec = new TapRecorder(false);
            // A queue that a second and third batch would overflow, were the streams still copying to it.
            TrackTap tap = open(rec, TapOptions.withQueue(2 * PACKETS + 20));
            Member ada = members.get(0);
            ada.sendMedia(1000, PACKETS);
            await("the tap has ada's packets", Duration.ofSeconds(5), () -> tap.deliveredPackets() == 2 * PACKETS);
            tap.close();
            await("the closed tap's listener is told", Duration.ofSeconds(5), () -> rec.closed);
            await("the room lets the tap go", Duration.ofSeconds(5),
                    () -> sfu.findRoom("loopback").orElseThrow().tapCount().join() == 0);
            Member bob = members.get(1);
            int videoFromAda = bob.ssrcFor(ada, MediaKind.VIDEO);
            await("bob has the first batch", Duration.ofSeconds(5), () -> bob.receivedOn(videoFromAda).size() == PACKETS);
            ada.sendMedia(2000, PACKETS);
            ada.sendMedia(3000, PACKETS);
            // Once bob has the later batches, the media loop has handled them: the tap's counters are final.
            await("bob has the later batches", Duration.ofSeconds(5), () -> bob.receivedOn(videoFromAda).size() == 3 * PACKETS);
            assertEquals(2 * PACKETS, tap.deliveredPackets(), "nothing delivered after close");
            assertEquals(0, tap.droppedPackets(), "nor queued: the streams no longer copy to it");
            assertEquals(2 * PACKETS, rec.packets.size());
        }
    }
}
