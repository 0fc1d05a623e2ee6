package dev.parley.sfu.media;

import dev.parley.sfu.packet.PacketBuffer;
import dev.parley.sfu.rtp.RtcpPacket;
import dev.parley.sfu.rtp.RtpHeader;
import dev.parley.sfu.rtp.SenderReport;
import dev.parley.sfu.sdp.PublishedTrack;
import java.security.SecureRandom;

/**
 * What a tap (a recording) takes of a simulcast stream: the best layer that flows, as one continuous stream.
 *
 * <p>The tap wants the top layer; when the top does not flow (the publisher is short of uplink, or its browser
 * stopped that encoding), it takes the highest layer that does, and goes back up when the top flows again. A
 * switch happens only on a keyframe of the new layer ({@link SimulcastForward}, asked for with a PLI by the
 * stream), and a {@link SwitchingRewriter} keeps sequence numbers, timestamps and VP8 picture IDs running on across
 * it, under the SSRC of the first layer taken: the recorder behind the tap sees one sender whose picture may change
 * size at a keyframe, never a new stream or a jump.
 *
 * <p>Loop-confined. Nothing here allocates per packet: a packet is rewritten in a scratch copy the tap then queues.
 */
final class TapLayerFollower {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final int top;
    private final SimulcastForward layer = new SimulcastForward();
    private final SwitchingRewriter rewriter;
    private final byte[] scratch = new byte[PacketBuffer.MAX_DATAGRAM];
    private boolean ssrcChosen;
    private int ssrc;

    TapLayerFollower(int layers, SwitchingRewriter.Payload payload, int clockRate) {
        if (layers < 1) {
            throw new IllegalArgumentException("a simulcast stream has at least one layer; got " + layers);
        }
        this.top = layers - 1;
        this.rewriter = new SwitchingRewriter(payload, clockRate, RANDOM.nextInt(0x10000), RANDOM.nextInt());
        layer.retarget(top); // the top first: its keyframe starts the recording unless it turns out not to flow
    }

    /** A follower of {@code track}'s simulcast layers (its rids, lowest first). */
    static TapLayerFollower of(PublishedTrack track) {
        SwitchingRewriter.Payload payload = track.codec().name().equalsIgnoreCase("VP8")
                ? SwitchingRewriter.Payload.VP8 : SwitchingRewriter.Payload.H264;
        return new TapLayerFollower(track.rids().size(), payload, track.codec().clockRate());
    }

    /** The layer the tap records now; {@link SimulcastLayerSelector#NONE} before its first keyframe. */
    int current() {
        return layer.current();
    }

    /** The layer the tap switches to at its next keyframe (the one it records once there). */
    int target() {
        return layer.target();
    }

    /**
     * Retargets from what flows (one flag per layer, lowest first): the top when it flows, else the highest
     * flowing layer; when nothing flows the target stays. Returns the layer whose keyframe the tap waits for
     * (ask the publisher for it), or {@link SimulcastLayerSelector#NONE} when it records its target already.
     */
    int choose(boolean[] flowing) {
        for (int i = Math.min(top, flowing.length - 1); i >= 0; i--) {
            if (flowing[i]) {
                layer.retarget(i);
                break;
            }
        }
        return awaited();
    }

    /** The layer a keyframe of which the tap needs now: the one it waits to switch to, else the one it records. */
    int keyframeLayer() {
        int awaited = awaited();
        return awaited != SimulcastLayerSelector.NONE ? awaited : layer.current();
    }

    private int awaited() {
        return layer.current() != layer.target() ? layer.target() : SimulcastLayerSelector.NONE;
    }

    /**
     * Marks the layers the publisher must keep sending for this tap: the top (what it wants) and every layer from
     * the one it records or waits for up to the top, so that a lower layer it falls back to is not paused, and a
     * middle layer is there to fall back to when the top stops.
     */
    void markNeeded(boolean[] needed) {
        int from = Math.min(layer.current(), layer.target());
        if (from < 0) {
            from = 0; // nothing recorded yet: whatever flows first may be needed
        }
        for (int i = from; i <= top && i < needed.length; i++) {
            needed[i] = true;
        }
    }

    /**
     * Takes a packet of {@code packetLayer} ({@code keyframe}: it starts a keyframe): when it belongs to what the
     * tap records, copies it into {@link #scratch()} rewritten into the tap's one stream and returns its length;
     * otherwise -1 (another layer, or the new layer before its keyframe).
     */
    int rewrite(int packetLayer, boolean keyframe, byte[] buf, int off, int len, long now) {
        if (len > scratch.length || !layer.accept(packetLayer, keyframe, rewriter)) {
            return -1;
        }
        System.arraycopy(buf, off, scratch, 0, len);
        if (!rewriter.rewrite(scratch, 0, len, now)) {
            return -1;
        }
        if (!ssrcChosen) {
            ssrc = RtpHeader.ssrc(scratch, 0);
            ssrcChosen = true;
        }
        RtpHeader.setSsrc(scratch, 0, ssrc);
        return len;
    }

    /**
     * Takes the sender info of a sender report of {@code reportLayer}: when that is the layer recorded now, copies
     * it into {@link #scratch()} with its RTP timestamp in the tap's timeline (so audio/video sync still holds) and
     * returns true. Another layer's report maps onto nothing the tap sent, and is left out.
     */
    boolean rewriteSenderReport(int reportLayer, byte[] buf, int off) {
        if (reportLayer != layer.current() || !rewriter.started()) {
            return false;
        }
        System.arraycopy(buf, off, scratch, 0, SenderReport.HEADER_LENGTH);
        SenderReport.setRtpTimestamp(scratch, 0, rewriter.outgoingTimestamp(SenderReport.rtpTimestamp(buf, off)));
        RtcpPacket.setSenderSsrc(scratch, 0, ssrc);
        return true;
    }

    /** Where {@link #rewrite} and {@link #rewriteSenderReport} put their result (valid until the next call). */
    byte[] scratch() {
        return scratch;
    }
}
