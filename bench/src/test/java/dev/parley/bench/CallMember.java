package dev.parley.bench;

import dev.parley.loadtest.SyntheticPeer;
import dev.parley.sfu.LeaveReason;
import dev.parley.sfu.Participant;
import dev.parley.sfu.ParticipantInfo;
import dev.parley.sfu.ParticipantListener;
import dev.parley.sfu.SfuServer;
import dev.parley.sfu.StaleAnswerException;
import dev.parley.sfu.srtp.SrtpProfile;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One synthetic participant of a call test: it joins, publishes audio and video on one peer connection,
 * answers the SFU's subscriber offers on another, and counts the media it receives. Its peers use UDP, or
 * ICE over TCP.
 */
final class CallMember implements ParticipantListener, AutoCloseable {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CONSENT_INTERVAL = Duration.ofMillis(500);

    final String name;
    final int audioSsrc = ThreadLocalRandom.current().nextInt() | 1;
    final int videoSsrc = ThreadLocalRandom.current().nextInt() | 2;
    final SyntheticPeer publisher;
    final SyntheticPeer subscriber;
    final AtomicLong received = new AtomicLong();
    private final BlockingQueue<Map.Entry<Integer, String>> offers = new LinkedBlockingQueue<>();
    volatile String publisherAnswer;
    volatile String lastSubscriberOffer;
    Participant participant;
    private int sequence;

    private CallMember(String name, boolean tcp) throws Exception {
        this.name = name;
        SyntheticPeer.MediaHandler ignore = (p, at) -> {};
        SyntheticPeer.MediaHandler count = (p, at) -> received.incrementAndGet();
        this.publisher = tcp ? SyntheticPeer.openTcp(name + "-pub", ignore) : SyntheticPeer.open(name + "-pub", ignore);
        this.subscriber = tcp ? SyntheticPeer.openTcp(name + "-sub", count) : SyntheticPeer.open(name + "-sub", count);
    }

    /** Joins {@code room} and publishes; the publisher is connected when this returns. */
    static CallMember join(SfuServer sfu, String room, String name, boolean tcp) throws Exception {
        CallMember m = new CallMember(name, tcp);
        m.participant = sfu.join(room, name, m).get(5, TimeUnit.SECONDS);
        m.publisherAnswer = m.participant.publish(m.publisher.publisherOffer(m.audioSsrc, m.videoSsrc))
                .get(5, TimeUnit.SECONDS);
        m.publisher.acceptAnswer(m.publisherAnswer);
        m.publisher.connect(CONNECT_TIMEOUT, CONSENT_INTERVAL, SrtpProfile.AEAD_AES_128_GCM);
        return m;
    }

    /** Answers the newest pending subscriber offer, if any, and connects the subscriber on the first. */
    void answerOffers() throws Exception {
        Map.Entry<Integer, String> offer = null;
        for (Map.Entry<Integer, String> next; (next = offers.poll()) != null; ) {
            offer = next;
        }
        if (offer == null) {
            return;
        }
        String answer = subscriber.answerFor(offer.getValue());
        try {
            participant.acceptSubscriberAnswer(answer, offer.getKey()).get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StaleAnswerException) {
                return;
            }
            throw e;
        }
        lastSubscriberOffer = offer.getValue();
        if (!subscriber.connected()) {
            subscriber.connect(CONNECT_TIMEOUT, CONSENT_INTERVAL, SrtpProfile.AEAD_AES_128_GCM);
        }
    }

    /** Sends one audio and one video packet. */
    void sendMedia() {
        int seq = sequence++;
        publisher.sendRtp(audioSsrc, SyntheticPeer.OPUS_PAYLOAD_TYPE, seq, 960 * seq, new byte[120]);
        publisher.sendRtp(videoSsrc, SyntheticPeer.VP8_PAYLOAD_TYPE, seq, 3000 * seq, new byte[900]);
    }

    @Override
    public void onJoined(Participant self, List<ParticipantInfo> others) {}

    @Override
    public void onSubscriberOffer(String sdp, int version) {
        offers.add(Map.entry(version, sdp));
    }

    @Override
    public void onParticipantJoined(ParticipantInfo other) {}

    @Override
    public void onParticipantUpdated(ParticipantInfo other) {}

    @Override
    public void onParticipantLeft(String participantId, LeaveReason reason) {}

    @Override
    public void onRemoved(LeaveReason reason) {}

    @Override
    public void close() {
        publisher.close();
        subscriber.close();
        if (participant != null) {
            participant.leave(LeaveReason.LEFT).join();
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
