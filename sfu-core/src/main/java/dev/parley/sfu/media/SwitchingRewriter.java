package dev.parley.sfu.media;

import dev.parley.sfu.rtp.H264Payload;
import dev.parley.sfu.rtp.RtpHeader;
import dev.parley.sfu.rtp.Vp8Payload;

/**
 * Makes one outgoing stream out of a succession of sources: the receiver sees one SSRC whose sequence numbers,
 * timestamps (and VP8 picture IDs and TL0PICIDX) run on without a jump when the source changes. Each source is
 * a <em>segment</em>; a new segment's offsets continue from the last packet sent, its timestamps advanced by
 * the wall-clock time between the two. A video segment starts only at a keyframe (packets before it are
 * dropped), so the receiver's decoder never gets frames that reference another source's pictures.
 *
 * <p>Loop-confined: one instance per outgoing stream, used from the media thread only. Allocates nothing per packet.
 */
public final class SwitchingRewriter {
    /** What the packets carry, which decides how a segment may start and what the payload needs. */
    public enum Payload { AUDIO, VP8, H264 }

    private final Payload payload;
    private final int clockRate;

    private boolean started;
    private boolean segmentPending = true;
    private int segmentFirstSeq;
    private int seqOffset;
    private int tsOffset;
    private int lastOutSeq;
    private int lastOutTs;
    private long lastSentNanos;
    private int highestInSeq;

    private final Vp8DescriptorRewriter vp8 = new Vp8DescriptorRewriter();

    /**
     * @param initialSequence the first sequence number to send (random, as RFC 3550 asks)
     * @param initialTimestamp the first timestamp to send
     */
    public SwitchingRewriter(Payload payload, int clockRate, int initialSequence, int initialTimestamp) {
        this.payload = payload;
        this.clockRate = clockRate;
        this.lastOutSeq = (initialSequence - 1) & 0xFFFF;
        this.lastOutTs = initialTimestamp;
    }

    /** The next packet comes from a new source: it starts a segment (for video, at the next keyframe). */
    public void beginSegment() {
        segmentPending = true;
        vp8.beginSegment();
    }

    /** Whether packets are being dropped until the new source's keyframe. */
    public boolean awaitingKeyframe() {
        return segmentPending && payload != Payload.AUDIO;
    }

    /**
     * Rewrites the RTP packet in place (sequence number, timestamp, VP8 picture ID and TL0PICIDX); SSRC and
     * payload type are the caller's. Returns false when the packet must not be sent: it precedes the new
     * source's first keyframe, or is older than the segment's first packet.
     */
    public boolean rewrite(byte[] buf, int off, int len, long nowNanos) {
        int inSeq = RtpHeader.sequenceNumber(buf, off);
        int inTs = RtpHeader.timestamp(buf, off);
        if (segmentPending) {
            if (payload != Payload.AUDIO && !keyframe(buf, off, len)) {
                return false;
            }
            startSegment(inSeq, inTs, nowNanos);
        } else if (((inSeq - segmentFirstSeq) & 0xFFFF) >= 0x8000) {
            return false; // reordered from before this segment began: its number belongs to the previous source
        }
        int outSeq = (inSeq + seqOffset) & 0xFFFF;
        int outTs = inTs + tsOffset;
        RtpHeader.setSequenceNumber(buf, off, outSeq);
        RtpHeader.setTimestamp(buf, off, outTs);
        boolean newest = ((inSeq - highestInSeq) & 0xFFFF) < 0x8000;
        if (newest) {
            highestInSeq = inSeq;
            lastOutSeq = outSeq;
            lastOutTs = outTs;
            lastSentNanos = nowNanos;
        }
        if (payload == Payload.VP8) {
            // A late packet (reordered, or recovered by a NACK) must not pull the last picture ID sent back: the
            // next segment continues from it.
            vp8.rewrite(buf, RtpHeader.payloadOffset(buf, off), RtpHeader.payloadLength(buf, off, len), newest);
        }
        return true;
    }

    /**
     * Rewrites a retransmission of a packet of the current segment (its source sequence number from
     * {@link #incomingSequence}) to what was sent the first time: sequence number, timestamp, VP8 fields.
     */
    public void rewriteRetransmission(byte[] buf, int off, int len) {
        RtpHeader.setSequenceNumber(buf, off, (RtpHeader.sequenceNumber(buf, off) + seqOffset) & 0xFFFF);
        RtpHeader.setTimestamp(buf, off, RtpHeader.timestamp(buf, off) + tsOffset);
        if (payload == Payload.VP8) {
            vp8.rewrite(buf, RtpHeader.payloadOffset(buf, off), RtpHeader.payloadLength(buf, off, len), false);
        }
    }

    /** The source's sequence number for a sequence number the receiver NACKs; -1 when it is from an earlier segment. */
    public int incomingSequence(int outgoing) {
        if (!started) {
            return -1;
        }
        int in = (outgoing - seqOffset) & 0xFFFF;
        return ((in - segmentFirstSeq) & 0xFFFF) < 0x8000 ? in : -1;
    }

    /** A source timestamp (from its sender report) in the receiver's timeline. */
    public int outgoingTimestamp(int incoming) {
        return incoming + tsOffset;
    }

    /** Whether anything has been sent yet (sender reports before that would announce a timeline not yet chosen). */
    public boolean started() {
        return started && !segmentPending;
    }

    private void startSegment(int inSeq, int inTs, long now) {
        int advance = 1;
        if (started) {
            long elapsed = Math.max(0, now - lastSentNanos);
            advance = (int) Math.max(1, Math.min(elapsed * clockRate / 1_000_000_000L, clockRate * 10L));
        }
        seqOffset = (lastOutSeq + 1 - inSeq) & 0xFFFF;
        tsOffset = lastOutTs + (started ? advance : 0) - inTs;
        segmentFirstSeq = inSeq;
        highestInSeq = inSeq;
        segmentPending = false;
        started = true;
    }

    private boolean keyframe(byte[] buf, int off, int len) {
        int p = RtpHeader.payloadOffset(buf, off);
        int n = RtpHeader.payloadLength(buf, off, len);
        if (n <= 0) {
            return false;
        }
        return payload == Payload.VP8 ? Vp8Payload.isKeyframe(buf, p, n) : H264Payload.isKeyframe(buf, p, n);
    }
}
