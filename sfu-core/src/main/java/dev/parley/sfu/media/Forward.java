package dev.parley.sfu.media;

/**
 * One published stream as one subscriber receives it: Parley's SSRC and payload type towards that
 * subscriber, and the sequence-number offset that makes the subscriber's numbering independent of the
 * publisher's (so a later switch of source, e.g. a simulcast layer, does not show as a jump).
 */
record Forward(PublishedStream source, PeerTransport subscriber, int ssrc, int payloadType, int sequenceOffset) {
    int outgoingSequence(int incoming) {
        return (incoming + sequenceOffset) & 0xFFFF;
    }

    int incomingSequence(int outgoing) {
        return (outgoing - sequenceOffset) & 0xFFFF;
    }
}
