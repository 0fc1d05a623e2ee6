package dev.parley.bench;

import dev.parley.loadtest.SyntheticPeer;
import dev.parley.sfu.Participant;
import dev.parley.sfu.StaleAnswerException;
import dev.parley.sfu.srtp.SrtpProfile;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The subscriber side of a synthetic participant in a call test: the SFU's subscriber offers queue up as the
 * participant's listener receives them ({@link #add}), and the test's media loop answers the newest with the
 * subscriber peer ({@link #answerNewest}), connecting the peer after its first answer. Older offers are skipped,
 * as a browser's signaling would replace them; an answer the SFU finds stale is dropped and the next offer taken.
 */
final class SubscriberOffers {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration CONSENT_INTERVAL = Duration.ofMillis(500);

    private final SyntheticPeer peer;
    private final BlockingQueue<Map.Entry<Integer, String>> offers = new LinkedBlockingQueue<>();
    /** The last offer answered and accepted; null before the first. */
    volatile String lastAnswered;

    SubscriberOffers(SyntheticPeer peer) {
        this.peer = peer;
    }

    /** From {@code ParticipantListener.onSubscriberOffer}, on the SFU's thread. */
    void add(String sdp, int version) {
        offers.add(Map.entry(version, sdp));
    }

    boolean isEmpty() {
        return offers.isEmpty();
    }

    /**
     * Answers the newest pending offer, if any, and connects the peer (DTLS-SRTP with AES-GCM) once it has
     * answered. Returns whether an answer was accepted now.
     */
    boolean answerNewest(Participant participant) throws Exception {
        Map.Entry<Integer, String> offer = null;
        for (Map.Entry<Integer, String> next; (next = offers.poll()) != null; ) {
            offer = next;
        }
        if (offer == null) {
            connectIfAnswered();
            return false;
        }
        try {
            participant.acceptSubscriberAnswer(peer.answerFor(offer.getValue()), offer.getKey()).get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StaleAnswerException) {
                return false;
            }
            throw e;
        }
        lastAnswered = offer.getValue();
        connectIfAnswered();
        return true;
    }

    private void connectIfAnswered() throws Exception {
        if (lastAnswered != null && !peer.connected()) {
            peer.connect(CONNECT_TIMEOUT, CONSENT_INTERVAL, SrtpProfile.AEAD_AES_128_GCM);
        }
    }
}
