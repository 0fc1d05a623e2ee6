package dev.parley.sfu.media;

import dev.parley.sfu.packet.PacketBuffer;
import dev.parley.sfu.rtp.RtxSender;

/**
 * One published stream as one subscriber receives it: Parley's SSRC and payload type towards that
 * subscriber, the sequence-number offset that makes the subscriber's numbering independent of the
 * publisher's (so a later switch of source, e.g. a simulcast layer, does not show as a jump), and what the
 * subscriber reports about it. Loop-confined.
 */
final class Forward {
    private final PublishedStream source;
    private final PeerTransport subscriber;
    private final int ssrc;
    private final int payloadType;
    private int sequenceOffset;
    /** Set for a stream whose source changes over time (a WHEP viewer's): it numbers packets instead of the offset. */
    final SwitchingRewriter rewriter;
    long packetsSent;
    long bytesSent;
    /** From the subscriber's latest receiver report block for {@link #ssrc}. */
    long reportedLost;
    long reportedJitter;
    /** The last sender report relayed to the subscriber (NTP middle 32 bits) and when, for round-trip time. */
    int lastSenderReport;
    long lastSenderReportSentNanos;
    /** Round-trip time to the subscriber from its latest report that echoed our sender report; -1 until known. */
    long roundTripNanos = -1;
    /** Video whose subscriber accepted RFC 4588: retransmissions go on this stream; null: on the media SSRC. */
    RtxSender rtx;
    /** Last-N: nothing of the stream goes to the subscriber while set ({@link PublishedStream#setPaused}). */
    boolean paused;
    /** Set when a pause ends: the next live packet continues the subscriber's numbering where it stopped. */
    boolean resumed;
    /** The subscriber's sequence number of the last live packet (not a retransmission) sent. */
    private int lastSequence;
    /** Set for a simulcast stream: which layer goes to this subscriber (the {@link #rewriter} keeps the numbering). */
    SimulcastForward simulcast;

    Forward(PublishedStream source, PeerTransport subscriber, int ssrc, int payloadType, int sequenceOffset) {
        this(source, subscriber, ssrc, payloadType, sequenceOffset, null);
    }

    Forward(PublishedStream source, PeerTransport subscriber, int ssrc, int payloadType, int sequenceOffset,
            SwitchingRewriter rewriter) {
        this.rewriter = rewriter;
        this.source = source;
        this.subscriber = subscriber;
        this.ssrc = ssrc;
        this.payloadType = payloadType;
        this.sequenceOffset = sequenceOffset;
    }

    PublishedStream source() {
        return source;
    }

    PeerTransport subscriber() {
        return subscriber;
    }

    int ssrc() {
        return ssrc;
    }

    int payloadType() {
        return payloadType;
    }

    int outgoingSequence(int incoming) {
        return (incoming + sequenceOffset) & 0xFFFF;
    }

    int incomingSequence(int outgoing) {
        if (rewriter != null) {
            return rewriter.incomingSequence(outgoing);
        }
        return (outgoing - sequenceOffset) & 0xFFFF;
    }

    /**
     * Notes a live packet about to go out: after a pause, the offset is moved so that the subscriber sees no gap
     * (a gap of the packets held back would only make it ask for them all again with NACKs).
     */
    void onLivePacket(int incoming) {
        if (resumed) {
            sequenceOffset = (lastSequence + 1 - incoming) & 0xFFFF;
            resumed = false;
        }
        lastSequence = (incoming + sequenceOffset) & 0xFFFF;
    }

    /** Encrypts and queues a packet already rewritten for this subscriber, counting it. */
    void send(PacketBuffer p) {
        int length = p.length();
        if (subscriber.sendRtp(p)) {
            packetsSent++;
            bytesSent += length;
        }
    }
}
