package dev.parley.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.parley.sfu.LeaveReason;
import dev.parley.sfu.Participant;
import dev.parley.sfu.ParticipantListener;
import dev.parley.sfu.SfuConfig;
import dev.parley.sfu.SfuServer;
import dev.parley.sfu.dtls.HandshakeOutcome;
import dev.parley.sfu.srtp.SrtpProfile;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * ICE restart on the SFU's existing transports (docs/protocol.md, "Reconnecting"), with synthetic peers over real
 * UDP: new credentials in the answer or offer, checks under the old ones refused and under the new ones answered,
 * and media still flowing with the keys of the one DTLS handshake each connection made.
 */
class IceRestartTest {
    /**
     * Well above the time a first DTLS handshake takes on a loaded machine (SRTP picks its cipher
     * implementation by benchmark first), before consent refreshes start.
     */
    private static final Duration CONSENT_TIMEOUT = Duration.ofSeconds(30);
    /** For the test that waits consent out and makes no DTLS handshake. */
    private static final Duration SHORT_CONSENT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration CONSENT_INTERVAL = Duration.ofMillis(400);
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int AUDIO_SSRC = 0x1111;
    private static final int VIDEO_SSRC = 0x2222;
    private SfuServer sfu;
    private int sequence;

    /** A participant as the SFU's listener sees it: its subscriber offers and whether it was removed. */
    static final class Member extends ParticipantListener.Ignoring {
        final BlockingQueue<Offer> offers = new LinkedBlockingQueue<>();
        final AtomicReference<LeaveReason> removed = new AtomicReference<>();

        record Offer(String sdp, int version) {}

        @Override
        public void onSubscriberOffer(String sdp, int version) {
            offers.add(new Offer(sdp, version));
        }

        @Override
        public void onRemoved(LeaveReason reason) {
            removed.set(reason);
        }

        Offer nextOffer() throws InterruptedException {
            Offer o = offers.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertNotNull(o, "a subscriber offer arrived");
            return o;
        }
    }

    private void start(Duration consentTimeout) throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        sfu = SfuServer.start(new SfuConfig(loopback, 0, List.of(loopback), consentTimeout, 10));
    }

    @AfterEach
    void stop() {
        if (sfu != null) {
            sfu.close();
        }
    }

    @Test
    void bothConnectionsRestartIceAndKeepTheirDtlsSession() throws Exception {
        start(CONSENT_TIMEOUT);
        Member adaSide = new Member();
        Member bobSide = new Member();
        try (SyntheticPeer ada = SyntheticPeer.open("ada", (p, at) -> {});
             SyntheticPeer bob = SyntheticPeer.open("bob", (p, at) -> {})) {
            Participant adaP = sfu.join("restart", "ada", adaSide).get(5, TimeUnit.SECONDS);
            ada.acceptAnswer(adaP.publish(ada.publisherOffer(AUDIO_SSRC, VIDEO_SSRC)).get(5, TimeUnit.SECONDS));
            connect(ada);
            Participant bobP = sfu.join("restart", "bob", bobSide).get(5, TimeUnit.SECONDS);
            Member.Offer first = bobSide.nextOffer();
            bobP.acceptSubscriberAnswer(bob.answerFor(first.sdp()), first.version()).get(5, TimeUnit.SECONDS);
            connect(bob);
            sendUntilReceived(ada, bob);
            long handshakes = sfu.handshakes().count(HandshakeOutcome.COMPLETED);
            assertEquals(2, handshakes, "one DTLS handshake per connection");

            // Ada's publisher connection: she offers new credentials, Parley answers with new ones of its own.
            String[] before = ada.serverCredentials();
            ada.restartIce();
            ada.acceptAnswer(adaP.publish(ada.publisherOffer(AUDIO_SSRC, VIDEO_SSRC)).get(5, TimeUnit.SECONDS));
            String[] after = ada.serverCredentials();
            assertNotEquals(before[0], after[0], "a new server ufrag");
            assertNotEquals(before[1], after[1], "a new server password");
            assertFalse(ada.checkAnsweredWith(before[0], before[1], Duration.ofSeconds(1)),
                    "a check under the old credentials is refused");
            ada.recheckIce(WAIT);
            assertTrue(ada.checkAnsweredWith(after[0], after[1], WAIT), "checks under the new credentials pass");
            sendUntilReceived(ada, bob);

            // Bob's subscriber connection: Parley offers new credentials, Bob answers with new ones.
            before = bob.serverCredentials();
            bobP.restartSubscriberIce().get(5, TimeUnit.SECONDS);
            Member.Offer restart = bobSide.nextOffer();
            assertTrue(restart.version() > first.version(), "a newer offer");
            bob.restartIce();
            bobP.acceptSubscriberAnswer(bob.answerFor(restart.sdp()), restart.version()).get(5, TimeUnit.SECONDS);
            after = bob.serverCredentials();
            assertNotEquals(before[0], after[0], "a new server ufrag in the offer");
            assertFalse(bob.checkAnsweredWith(before[0], before[1], Duration.ofSeconds(1)),
                    "a check under the old credentials is refused");
            bob.recheckIce(WAIT);
            sendUntilReceived(ada, bob);

            assertEquals(handshakes, sfu.handshakes().count(HandshakeOutcome.COMPLETED), "no new DTLS handshake");
            assertTrue(ada.connected() && bob.connected());
            // Consent refreshes now go under the new credentials, and are answered.
            long adaConsents = ada.consentResponses();
            long bobConsents = bob.consentResponses();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (ada.consentResponses() < adaConsents + 2 || bob.consentResponses() < bobConsents + 2) {
                if (System.nanoTime() > deadline) {
                    fail("consent refreshes under the new credentials went unanswered");
                }
                Thread.sleep(50);
            }
            assertNull(adaSide.removed.get());
            assertNull(bobSide.removed.get());
        }
    }

    @Test
    void aParticipantHeldForReconnectOutlivesLostConsentButNotItsRelease() throws Exception {
        start(SHORT_CONSENT_TIMEOUT);
        Member adaSide = new Member();
        try (SyntheticPeer ada = SyntheticPeer.open("ada", (p, at) -> {})) {
            Participant adaP = sfu.join("held", "ada", adaSide).get(5, TimeUnit.SECONDS);
            ada.acceptAnswer(adaP.publish(ada.publisherOffer(AUDIO_SSRC, VIDEO_SSRC)).get(5, TimeUnit.SECONDS));
            ada.checkIce(WAIT); // one check, then nothing: her network is gone while her page reconnects
            adaP.holdForReconnect(true);

            long until = System.nanoTime() + 3 * SHORT_CONSENT_TIMEOUT.toNanos();
            while (System.nanoTime() < until) {
                assertNull(adaSide.removed.get(), "held, Ada stays although her consent ran out");
                Thread.sleep(100);
            }
            assertEquals(1, sfu.room("held").size());

            // Released without coming back: a first check's allowance (2 x the timeout), then she goes as usual.
            adaP.holdForReconnect(false);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (adaSide.removed.get() == null) {
                if (System.nanoTime() > deadline) {
                    fail("a released participant without ICE consent was never removed");
                }
                Thread.sleep(50);
            }
            assertEquals(LeaveReason.TIMEOUT, adaSide.removed.get());
        }
    }

    private static void connect(SyntheticPeer peer) throws Exception {
        peer.connect(WAIT, CONSENT_INTERVAL, SrtpProfile.AEAD_AES_128_GCM, SrtpProfile.AES128_CM_HMAC_SHA1_80);
    }

    /** Sends Ada's audio until Bob has received a few more packets of it. */
    private void sendUntilReceived(SyntheticPeer from, SyntheticPeer to) throws Exception {
        long start = to.rtpReceived();
        long deadline = System.nanoTime() + WAIT.toNanos();
        byte[] payload = new byte[60];
        while (to.rtpReceived() < start + 5) {
            if (System.nanoTime() > deadline) {
                fail("media stopped: " + (to.rtpReceived() - start) + " packets arrived");
            }
            sequence++;
            assertTrue(from.sendRtp(AUDIO_SSRC, SyntheticPeer.OPUS_PAYLOAD_TYPE, sequence & 0xFFFF, sequence * 960, payload));
            Thread.sleep(20); // an audio frame's pace
        }
    }
}
