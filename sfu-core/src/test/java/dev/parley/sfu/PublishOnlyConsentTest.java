package dev.parley.sfu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import dev.parley.sfu.sdp.SessionDescription;
import dev.parley.peerkit.StunMessage;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Ingest bots publish and never answer subscriber offers: they stay exactly as long as their publisher
 * connection keeps ICE consent (checks sent over a real UDP socket), whatever happens to their subscriber side.
 */
class PublishOnlyConsentTest {
    private static final Duration CONSENT_TIMEOUT = Duration.ofSeconds(1);
    private static final String FINGERPRINT = "sha-256 " + "1A:".repeat(31) + "2B";
    private SfuServer sfu;

    /** A publish-only client: it ignores subscriber offers and keeps its publisher connection alive by hand. */
    static final class Bot implements ParticipantListener, AutoCloseable {
        final AtomicInteger offers = new AtomicInteger();
        final java.util.concurrent.BlockingQueue<String> offerSdps = new java.util.concurrent.LinkedBlockingQueue<>();
        final AtomicReference<LeaveReason> removed = new AtomicReference<>();
        final DatagramSocket socket;
        Participant self;
        String serverUfrag;
        String serverPwd;

        Bot() throws Exception {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        }

        void publish(int ssrc) throws Exception {
            String answer = self.publish(offer(ssrc)).get(5, TimeUnit.SECONDS);
            SessionDescription sdp = SessionDescription.parse(answer);
            serverUfrag = sdp.attribute(sdp.media().getFirst(), "ice-ufrag");
            serverPwd = sdp.attribute(sdp.media().getFirst(), "ice-pwd");
        }

        /** A consent check on the publisher connection, as the browser sends one every few seconds. */
        void check(int mediaPort) throws Exception {
            byte[] transaction = new byte[12];
            ThreadLocalRandom.current().nextBytes(transaction);
            byte[] request = StunMessage.browserCheck(transaction, serverUfrag + ":bot", 1, true, serverPwd);
            socket.send(new DatagramPacket(request, request.length, InetAddress.getLoopbackAddress(), mediaPort));
        }

        @Override
        public void onJoined(Participant p, List<ParticipantInfo> others) {
            self = p;
        }

        @Override
        public void onSubscriberOffer(String sdp, int version) {
            offerSdps.add(version + " " + sdp);
            offers.incrementAndGet();
        }

        @Override
        public void onParticipantJoined(ParticipantInfo other) {}

        @Override
        public void onParticipantUpdated(ParticipantInfo other) {}

        @Override
        public void onParticipantLeft(String participantId, LeaveReason reason) {}

        @Override
        public void onRemoved(LeaveReason reason) {
            removed.set(reason);
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    @BeforeEach
    void start() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        sfu = SfuServer.start(new SfuConfig(loopback, 0, List.of(loopback), CONSENT_TIMEOUT, 10));
    }

    @AfterEach
    void stop() {
        sfu.close();
    }

    @Test
    void publishOnlyParticipantsStayWhileTheirPublisherKeepsConsent() throws Exception {
        try (Bot ada = new Bot(); Bot bob = new Bot()) {
            sfu.join("ingest", "ada", ada).get(5, TimeUnit.SECONDS);
            ada.publish(0x1000);
            sfu.join("ingest", "bob", bob).get(5, TimeUnit.SECONDS);
            bob.publish(0x2000);
            awaitOffer(ada);
            awaitOffer(bob);

            // Several times the grace a subscriber connection used to get for its first check (2 x timeout).
            long keepAliveUntil = System.nanoTime() + 5 * CONSENT_TIMEOUT.toNanos();
            while (System.nanoTime() < keepAliveUntil) {
                ada.check(sfu.mediaPort());
                bob.check(sfu.mediaPort());
                assertNull(ada.removed.get(), "ada's publisher is alive; her unanswered subscriber offer must not remove her");
                assertNull(bob.removed.get(), "bob's publisher is alive; his unanswered subscriber offer must not remove him");
                Thread.sleep(200); // the pace of a browser's consent checks, compressed
            }
            assertEquals(2, sfu.room("ingest").size());

            // Once the publisher connection goes quiet, consent still expires and the bot is removed.
            long deadline = System.nanoTime() + 5 * CONSENT_TIMEOUT.toNanos();
            while (ada.removed.get() == null || bob.removed.get() == null) {
                if (System.nanoTime() > deadline) {
                    fail("bots whose publisher connection went quiet were not removed");
                }
                Thread.sleep(20);
            }
            assertEquals(LeaveReason.TIMEOUT, ada.removed.get());
            assertEquals(LeaveReason.TIMEOUT, bob.removed.get());
        }
    }

    @Test
    void aSubscriberConnectionWhoseEverySectionIsRejectedOwesNoConsent() throws Exception {
        try (Bot ada = new Bot(); Bot bob = new Bot()) {
            sfu.join("rejecting", "ada", ada).get(5, TimeUnit.SECONDS);
            ada.publish(0x1000);
            sfu.join("rejecting", "bob", bob).get(5, TimeUnit.SECONDS);
            bob.publish(0x2000);
            String first = ada.offerSdps.poll(5, TimeUnit.SECONDS);
            int version = Integer.parseInt(first.substring(0, first.indexOf(' ')));
            String answer = first.substring(first.indexOf(' ') + 1).replace("a=setup:actpass", "a=setup:active")
                    .replace("a=sendonly", "a=recvonly")
                    .replaceAll("a=ice-ufrag:[^\\r]+", "a=ice-ufrag:adasub")
                    .replaceAll("a=ice-pwd:[^\\r]+", "a=ice-pwd:subscriberpassword01234567")
                    .replaceAll("a=fingerprint:[^\\r]+", "a=fingerprint:" + FINGERPRINT);
            ada.self.acceptSubscriberAnswer(answer, version).get(5, TimeUnit.SECONDS); // now her subscriber owes consent
            bob.self.leave(LeaveReason.LEFT).get(5, TimeUnit.SECONDS);
            String second = ada.offerSdps.poll(5, TimeUnit.SECONDS);
            int secondVersion = Integer.parseInt(second.substring(0, second.indexOf(' ')));
            String rejected = String.join("\r\n", "v=0", "o=- 9 3 IN IP4 127.0.0.1", "s=-", "t=0 0",
                    "m=audio 0 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0", "a=mid:0", "a=inactive", "");
            ada.self.acceptSubscriberAnswer(rejected, secondVersion).get(5, TimeUnit.SECONDS);

            long keepAliveUntil = System.nanoTime() + 5 * CONSENT_TIMEOUT.toNanos();
            while (System.nanoTime() < keepAliveUntil) {
                ada.check(sfu.mediaPort());
                assertNull(ada.removed.get(), "nothing is negotiated on ada's subscriber connection, so it owes no consent");
                Thread.sleep(200);
            }
            assertEquals(1, sfu.room("rejecting").size());
        }
    }

    private static void awaitOffer(Bot bot) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (bot.offers.get() == 0) {
            if (System.nanoTime() > deadline) {
                fail("no subscriber offer arrived");
            }
            Thread.sleep(10);
        }
    }

    private static String offer(int ssrc) {
        return String.join("\r\n",
                "v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0",
                "m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0",
                "a=ice-ufrag:bot", "a=ice-pwd:botpassword0123456789012", "a=fingerprint:" + FINGERPRINT,
                "a=setup:actpass", "a=mid:0", "a=sendonly", "a=rtcp-mux", "a=rtpmap:111 opus/48000/2",
                "a=ssrc:" + ssrc + " cname:bot", "");
    }
}
