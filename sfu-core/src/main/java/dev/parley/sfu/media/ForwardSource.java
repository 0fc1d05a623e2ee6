package dev.parley.sfu.media;

/**
 * What a forward is handed of the published stream it copies: the way back up for its subscriber's feedback
 * (PLI/FIR, NACK) and for taking the forward down. Implemented inside {@link PublishedStream}; the subscriber's
 * transport reaches a stream only through this. Loop only.
 */
interface ForwardSource {
    /** The subscriber lost the picture (PLI/FIR) or just joined: ask the publisher for a keyframe (throttled). */
    void requestKeyframe(long now);

    /**
     * The subscriber's connection came up (it asked with {@link #requestKeyframe} when its handshake began): send
     * it the keyframe that went by meanwhile, or ask again if none did and no answer is on its way.
     */
    void subscriberConnected(Forward f, long now);

    /**
     * The subscriber's NACK for one of its (outgoing) sequence numbers: resend it from the history, if kept;
     * {@code now} is when the NACK arrived (the send time of what it asks for).
     */
    void retransmit(Forward f, int outgoingSequence, long now);

    /** The subscriber's transport closed: stop copying to {@code f}. */
    void removeForward(Forward f);
}
