package dev.parley.bench;

import dev.parley.loadtest.SyntheticPeer;
import dev.parley.sfu.LeaveReason;
import dev.parley.sfu.Participant;
import dev.parley.sfu.ParticipantListener;
import dev.parley.sfu.SfuServer;
import dev.parley.sfu.packet.PacketBuffer;
import dev.parley.sfu.srtp.SrtpProfile;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One synthetic participant of a call test: it joins, publishes audio and video on one peer connection,
 * answers the SFU's subscriber offers on another, and counts the media it receives. Its peers use UDP, or
 * ICE over TCP. A test that observes more (what arrived from whom, the feedback the publisher gets, signaling
 * events) extends it and overrides the hooks.
 */
class CallMember extends ParticipantListener.Ignoring implements AutoCloseable {
    final String name;
    final int audioSsrc = ThreadLocalRandom.current().nextInt() | 1;
    final int videoSsrc = ThreadLocalRandom.current().nextInt() | 2;
    final SyntheticPeer publisher;
    final SyntheticPeer subscriber;
    final AtomicLong received = new AtomicLong();
    private final SubscriberOffers offers;
    volatile String publisherAnswer;
    volatile String lastSubscriberOffer;
    Participant participant;
    private int sequence;

    CallMember(String name, boolean tcp) throws Exception {
        this.name = name;
        SyntheticPeer.MediaHandler toPublisher = new SyntheticPeer.MediaHandler() {
            @Override
            public void onRtp(PacketBuffer p, long at) {}

            @Override
            public void onRtcp(PacketBuffer p, long at) {
                onPublisherRtcp(p, at);
            }
        };
        SyntheticPeer.MediaHandler toSubscriber = this::onMediaReceived;
        this.publisher = tcp ? SyntheticPeer.openTcp(name + "-pub", toPublisher) : SyntheticPeer.open(name + "-pub", toPublisher);
        this.subscriber = tcp ? SyntheticPeer.openTcp(name + "-sub", toSubscriber) : SyntheticPeer.open(name + "-sub", toSubscriber);
        this.offers = new SubscriberOffers(subscriber);
    }

    /** Joins {@code room} and publishes; the publisher is connected when this returns. */
    static CallMember join(SfuServer sfu, String room, String name, boolean tcp) throws Exception {
        CallMember m = new CallMember(name, tcp);
        m.join(sfu, room);
        return m;
    }

    /** Joins {@code room} and publishes; the publisher is connected when this returns. */
    void join(SfuServer sfu, String room) throws Exception {
        participant = sfu.join(room, name, this).get(5, TimeUnit.SECONDS);
        publisherAnswer = participant.publish(publisher.publisherOffer(audioSsrc, videoSsrc)).get(5, TimeUnit.SECONDS);
        publisher.acceptAnswer(publisherAnswer);
        publisher.connect(SubscriberOffers.CONNECT_TIMEOUT, SubscriberOffers.CONSENT_INTERVAL, SrtpProfile.AEAD_AES_128_GCM);
    }

    /** Answers the newest pending subscriber offer, if any, and connects the subscriber on the first. */
    void answerOffers() throws Exception {
        if (offers.answerNewest(participant)) {
            lastSubscriberOffer = offers.lastAnswered;
        }
    }

    /** Sends one audio and one video packet. */
    void sendMedia() {
        int seq = sequence++;
        publisher.sendRtp(audioSsrc, SyntheticPeer.OPUS_PAYLOAD_TYPE, seq, 960 * seq, new byte[120]);
        publisher.sendRtp(videoSsrc, SyntheticPeer.VP8_PAYLOAD_TYPE, seq, 3000 * seq, new byte[900]);
    }

    /** Each RTP packet the subscriber peer receives, decrypted (on the peer's receive thread). */
    void onMediaReceived(PacketBuffer p, long at) {
        received.incrementAndGet();
    }

    /** Each RTCP compound packet the SFU sends the publisher (on the peer's receive thread). */
    void onPublisherRtcp(PacketBuffer p, long at) {}

    @Override
    public void onSubscriberOffer(String sdp, int version) {
        offers.add(sdp, version);
    }

    String id() {
        return participant.id();
    }

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
