package dev.parley.sfu.media;

import dev.parley.sfu.MediaKind;
import dev.parley.sfu.packet.PacketBuffer;
import dev.parley.sfu.rtp.RtpHeader;
import dev.parley.sfu.rtp.RtxSender;

/**
 * One published stream as one subscriber receives it: Parley's SSRC and payload type towards that
 * subscriber, the sequence-number offset that makes the subscriber's numbering independent of the
 * publisher's (so a later switch of source, e.g. a simulcast layer, does not show as a jump), and what the
 * subscriber reports about it. Loop-confined.
 *
 * <p>Its two steps of a sent copy ({@link #takes}, {@link #rewrite}) are listed by {@link RtpSendPipeline#send}. It
 * holds its stream and its subscriber only as the narrow {@link ForwardSource} and {@link PacketSender}, and calls
 * neither: it is data and rewriting, the pipelines call it.
 */
final class Forward {
    private final ForwardSource source;
    private final PacketSender sender;
    private final MediaKind kind;
    private final int clockRate;
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

    Forward(ForwardSource source, PacketSender sender, MediaKind kind, int clockRate, int ssrc, int payloadType,
            int sequenceOffset) {
        this(source, sender, kind, clockRate, ssrc, payloadType, sequenceOffset, null);
    }

    Forward(ForwardSource source, PacketSender sender, MediaKind kind, int clockRate, int ssrc, int payloadType,
            int sequenceOffset, SwitchingRewriter rewriter) {
        this.rewriter = rewriter;
        this.source = source;
        this.sender = sender;
        this.kind = kind;
        this.clockRate = clockRate;
        this.ssrc = ssrc;
        this.payloadType = payloadType;
        this.sequenceOffset = sequenceOffset;
    }

    /** The stream this forward copies, as its subscriber's feedback reaches it. */
    ForwardSource source() {
        return source;
    }

    /** The subscriber's side: where this forward's copies go. */
    PacketSender sender() {
        return sender;
    }

    MediaKind kind() {
        return kind;
    }

    int clockRate() {
        return clockRate;
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

    // --- a sent copy's steps, in the order RtpSendPipeline#send takes them ---

    /**
     * Step "pause / layer check": whether this subscriber takes a live packet of simulcast {@code layer} (-1
     * without simulcast) that starts a keyframe or not. Nothing while paused by last-N; with simulcast only the
     * layer chosen for it, switching on a keyframe.
     */
    boolean takes(int layer, boolean keyframe) {
        return !paused && (simulcast == null || simulcast.accept(layer, keyframe, rewriter));
    }

    /**
     * Step "rewrite": turns the copy {@code p} of a live packet into this subscriber's: its SSRC, payload type and
     * sequence number (and, for a switched stream, timestamp and VP8 picture ids). False when the rewriter holds
     * it back (a switched stream waiting for a keyframe).
     */
    boolean rewrite(PacketBuffer p, long now) {
        byte[] b = p.array();
        int o = p.offset();
        if (rewriter != null) {
            if (!rewriter.rewrite(b, o, p.length(), now)) {
                return false;
            }
        } else {
            int seq = RtpHeader.sequenceNumber(b, o);
            onLivePacket(seq);
            RtpHeader.setSequenceNumber(b, o, outgoingSequence(seq));
        }
        RtpHeader.setSsrc(b, o, ssrc);
        RtpHeader.setPayloadType(b, o, payloadType);
        return true;
    }

    /** Rewrites a retransmission of the publisher's packet {@code incomingSequence} (from the history) for this subscriber. */
    void rewriteRetransmission(PacketBuffer p, int incomingSequence) {
        byte[] b = p.array();
        int o = p.offset();
        if (rewriter != null) {
            rewriter.rewriteRetransmission(b, o, p.length());
        } else {
            RtpHeader.setSequenceNumber(b, o, outgoingSequence(incomingSequence));
        }
        RtpHeader.setSsrc(b, o, ssrc);
        RtpHeader.setPayloadType(b, o, payloadType);
    }

    /** Counts a copy of {@code length} bytes that went out (for the subscriber's statistics). */
    void countSent(int length) {
        packetsSent++;
        bytesSent += length;
    }
}
