package dev.parley.sfu.media;

import dev.parley.sfu.packet.PacketBuffer;

/**
 * What a forward is handed of its subscriber's transport: where the copies of its stream go, and what that
 * subscriber's downlink can take. Implemented by {@link RtpSendPipeline}, whose {@link #send} lists a sent copy's
 * steps. A forward and its stream only hold this, never the transport: media goes transport → stream → forward →
 * sender, and nothing below calls back up except through narrow interfaces like this one. Loop only.
 */
interface PacketSender {
    /** Whether the subscriber's transport can carry media now (ICE checked, DTLS done, not closed). */
    boolean connected();

    /**
     * Sends {@code f}'s copy of a live packet {@code in} (decrypted, the publisher's numbering), of simulcast
     * {@code layer} (-1 without simulcast) and starting a keyframe or not, unless the forward does not take it.
     */
    void send(Forward f, PacketBuffer in, int layer, boolean keyframe, long now);

    /** Sends a packet already rewritten for {@code f} (a retransmission); false when it could not go. */
    boolean sendRewritten(Forward f, PacketBuffer p, long now);

    /** Encrypts and queues an RTCP packet towards the subscriber (nothing when not connected). */
    void sendRtcp(PacketBuffer p);

    /** Registers a forward with its subscriber (whose feedback names it by SSRC); false when the transport closed. */
    boolean addForward(Forward f);

    /** Forgets a forward; harmless when it was not registered. */
    void removeForward(Forward f);

    /** The estimate of what Parley can send to this subscriber, bits per second; -1 while unknown. */
    long availableBitrateBps();

    /**
     * What this subscriber's path was shown to carry, bits per second: a recent probe's verdict, else what it
     * receives now; -1 while unknown. A simulcast layer goes up only as far as this allows.
     */
    long verifiedBitrateBps();

    /** How many video streams this subscriber receives (they share its bandwidth). */
    int videoForwardCount();

    /**
     * Asks for a probe of this subscriber's path toward {@code targetBps} in all, or toward {@code fallbackBps}
     * after one toward the target failed (see {@link BandwidthProbe}).
     */
    void probe(long targetBps, long fallbackBps);
}
