package dev.parley.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.loadtest.SyntheticPeer;
import dev.parley.sfu.Participant;
import dev.parley.sfu.ParticipantListener;
import dev.parley.sfu.SfuConfig;
import dev.parley.sfu.SfuServer;
import dev.parley.sfu.packet.PacketBuffer;
import dev.parley.sfu.rtp.Remb;
import dev.parley.sfu.rtp.RtcpFeedback;
import dev.parley.sfu.rtp.RtcpIterator;
import dev.parley.sfu.rtp.RtcpPacket;
import dev.parley.sfu.rtp.TransportCcIterator;
import dev.parley.sfu.rtp.TransportCcWriter;
import dev.parley.sfu.rtp.TransportSequenceExtension;
import dev.parley.sfu.srtp.SrtpProfile;
import dev.parley.sfu.srtp.SrtpSession;
import dev.parley.testkit.Eventually;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Transport-wide congestion control through a real {@link SfuServer} over UDP on 127.0.0.1. A publisher that
 * negotiated the transport sequence extension (under id 5, not Parley's own, so the renumbering is exercised) gets
 * transport-cc feedback for its packets and REMBs; two subscribers send transport-cc feedback for what they
 * receive, one as it arrives and one as if behind a growing queue (its reported arrival times stretch by 40%),
 * and Parley's estimate for the second ends up well below the first's.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class BandwidthEstimationCallTest {
    private static final String TWCC = TransportSequenceExtension.URI;
    private static final int PUBLISHER_TWCC_ID = 5;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CONSENT_INTERVAL = Duration.ofMillis(500);
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int VIDEO_PAYLOAD = 1000;

    private SfuServer sfu;
    private SyntheticPeer publisher;
    private final AtomicLong feedbackToPublisher = new AtomicLong();
    private final AtomicLong packetsAcknowledgedToPublisher = new AtomicLong();
    private final AtomicLong lastRemb = new AtomicLong(-1);
    private Subscriber steady;
    private Subscriber congested;

    @BeforeAll
    static void measureSrtpBackends() {
        SrtpSession.cryptoBackend();
    }

    /** A receiving participant that answers offers and reports, by transport-cc, when packets arrived. */
    static final class Subscriber extends ParticipantListener.Ignoring implements AutoCloseable {
        final SyntheticPeer peer;
        final double stretch;
        final SubscriberOffers offers;
        /** Transport sequence number → arrival (µs): filled on the receive thread, drained by {@link #sendFeedback}. */
        private final TreeMap<Integer, Long> arrivals = new TreeMap<>();
        private final TransportCcWriter writer = new TransportCcWriter();
        private final byte[] feedback = new byte[1500];
        private final long start = System.nanoTime();
        private int feedbackCount;
        private int nextToReport = -1;
        Participant participant;

        /** @param stretch how much longer than real time the reported arrival gaps are (0: as they came) */
        Subscriber(String name, double stretch) throws Exception {
            this.stretch = stretch;
            this.peer = SyntheticPeer.open(name, (p, at) -> {
                int seq = TransportSequenceExtension.read(p.array(), p.offset(), p.length(), TransportSequenceExtension.PARLEY_ID);
                if (seq >= 0) {
                    long elapsed = at - start;
                    long reported = start + elapsed + (long) (elapsed * stretch);
                    synchronized (arrivals) {
                        arrivals.put(seq, reported / 1000);
                    }
                }
            });
            this.offers = new SubscriberOffers(peer);
        }

        void answerOffers() throws Exception {
            offers.answerNewest(participant);
        }

        /** Reports everything received since the last feedback (sequence numbers stay far from wrapping here). */
        void sendFeedback() {
            synchronized (arrivals) {
                if (arrivals.isEmpty() || !peer.connected()) {
                    return;
                }
                int first = nextToReport < 0 ? arrivals.firstKey() : nextToReport;
                int last = arrivals.lastKey();
                if (last < first) {
                    return;
                }
                writer.begin(first, feedbackCount++);
                int s = first;
                for (; s <= last; s++) {
                    Long at = arrivals.get(s);
                    if (!writer.add(at != null, at == null ? 0 : at)) {
                        break;
                    }
                }
                nextToReport = s;
                arrivals.headMap(s).clear();
            }
            int n = writer.write(feedback, 0, 0x5EB5C21B, 0);
            peer.sendRtcp(feedback, 0, n);
        }

        @Override
        public void onSubscriberOffer(String sdp, int version) {
            offers.add(sdp, version);
        }

        @Override
        public void close() {
            peer.close();
        }
    }

    @AfterEach
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {steady, congested, publisher, sfu}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // closing what a failed test left behind
            }
        }
    }

    @Test
    void feedbackFlowsBothWaysAndADelayedSubscriberGetsALowerEstimate() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        sfu = SfuServer.start(new SfuConfig(loopback, 0, List.of(loopback), Duration.ofSeconds(10), 10));
        steady = new Subscriber("steady-sub", 0);
        congested = new Subscriber("congested-sub", 0.4);
        steady.participant = sfu.join("bwe", "steady", steady).get(5, TimeUnit.SECONDS);
        congested.participant = sfu.join("bwe", "congested", congested).get(5, TimeUnit.SECONDS);

        int audioSsrc = 0x0A0A0A0B;
        int videoSsrc = 0x0B0B0B0C;
        publisher = SyntheticPeer.open("bwe-pub", new SyntheticPeer.MediaHandler() {
            private final RtcpIterator rtcp = new RtcpIterator();
            private final TransportCcIterator twcc = new TransportCcIterator();

            @Override
            public void onRtp(PacketBuffer p, long at) {}

            @Override
            public void onRtcp(PacketBuffer p, long at) {
                if (!rtcp.reset(p.array(), p.offset(), p.length())) {
                    return;
                }
                while (rtcp.next()) {
                    if (rtcp.type() == RtcpPacket.RTPFB && rtcp.count() == RtcpFeedback.FMT_TRANSPORT_CC
                            && twcc.reset(p.array(), rtcp.offset(), rtcp.length())) {
                        feedbackToPublisher.incrementAndGet();
                        while (twcc.next()) {
                            if (twcc.received()) {
                                packetsAcknowledgedToPublisher.incrementAndGet();
                            }
                        }
                    } else if (Remb.isValid(p.array(), rtcp.offset(), rtcp.length())
                            && Remb.ssrc(p.array(), rtcp.offset(), 0) == videoSsrc) {
                        lastRemb.set(Remb.bitrate(p.array(), rtcp.offset()));
                    }
                }
            }
        });
        Participant pub = sfu.join("bwe", "publisher", new ParticipantListener.Ignoring()).get(5, TimeUnit.SECONDS);
        String offer = publisher.publisherOffer(audioSsrc, videoSsrc)
                .replace("a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n",
                        "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\na=extmap:" + PUBLISHER_TWCC_ID + " " + TWCC + "\r\n")
                .replace("a=rtcp-fb:96 nack\r\n", "a=rtcp-fb:96 transport-cc\r\na=rtcp-fb:96 nack\r\n");
        String answer = pub.publish(offer).get(5, TimeUnit.SECONDS);
        assertTrue(answer.contains("a=extmap:" + PUBLISHER_TWCC_ID + " " + TWCC), "the answer keeps the extension");
        assertTrue(answer.contains("a=rtcp-fb:96 transport-cc") && answer.contains("a=rtcp-fb:96 goog-remb"));
        publisher.acceptAnswer(answer);
        publisher.connect(CONNECT_TIMEOUT, CONSENT_INTERVAL, SrtpProfile.AEAD_AES_128_GCM);

        // About 1.6 Mbit/s of video: four 1000-byte packets every 20 ms; feedback every 100 ms.
        byte[] payload = new byte[VIDEO_PAYLOAD];
        int[] seq = {0};
        Runnable tick = () -> {
            try {
                for (Subscriber s : List.of(steady, congested)) {
                    s.answerOffers();
                }
                for (int i = 0; i < 4; i++) {
                    int n = seq[0]++;
                    publisher.sendRtpWithTransportSequence(videoSsrc, SyntheticPeer.VP8_PAYLOAD_TYPE, n & 0xFFFF,
                            n * 750, PUBLISHER_TWCC_ID, n & 0xFFFF, payload);
                }
                if (seq[0] % 20 == 0) {
                    steady.sendFeedback();
                    congested.sendFeedback();
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            LockSupport.parkNanos(20_000_000); // the media clock: one video tick
        };
        Eventually.await(WAIT, "Parley acknowledges the publisher's packets by transport-cc", () -> {
            tick.run();
            return feedbackToPublisher.get() > 5 && packetsAcknowledgedToPublisher.get() > 50;
        });
        Eventually.await(WAIT, "both subscribers get an estimate", () -> {
            tick.run();
            return steady.participant.availableBitrateBps() > 0 && congested.participant.availableBitrateBps() > 0;
        });
        Eventually.await(WAIT, "the subscriber whose delay grows gets a clearly lower estimate", () -> {
            tick.run();
            long good = steady.participant.availableBitrateBps();
            long bad = congested.participant.availableBitrateBps();
            return bad > 0 && good > 500_000 && bad < 0.6 * good;
        });
        Eventually.await(WAIT, "the publisher is told, by REMB, what its best subscriber can take", () -> {
            tick.run();
            long remb = lastRemb.get();
            return remb > 500_000 && remb <= 2_500_000;
        });
        System.out.printf("estimates: steady %d bit/s, congested %d bit/s; REMB to the publisher %d bit/s%n",
                steady.participant.availableBitrateBps(), congested.participant.availableBitrateBps(), lastRemb.get());
    }
}
