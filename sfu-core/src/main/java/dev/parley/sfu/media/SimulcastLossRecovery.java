package dev.parley.sfu.media;

import dev.parley.sfu.packet.PacketBuffer;
import dev.parley.sfu.rtp.RtpHeader;
import dev.parley.sfu.rtp.RtxPacket;
import dev.parley.sfu.sdp.PublishedTrack;

/**
 * Loss recovery toward a simulcast publisher, layer by layer: each layer is its own sequence-number space, so each
 * has its own {@link NackRequester} (gaps noticed, repeats dropped, NACKs sent on the media loop's timer), and,
 * when RFC 4588 retransmission is negotiated, its own RTX SSRC. A layer's RTX SSRC is learnt from the
 * repaired-rtp-stream-id header extension (RFC 8852) of its first retransmissions or padding, which names the rid
 * of the layer it repairs; a retransmission is then unwrapped in place into that layer's packet.
 *
 * <p>Loop-confined. State is fixed at construction (one generator per layer); nothing allocates per packet.
 */
final class SimulcastLossRecovery {
    private final int rtxPayloadType;
    private final int repairedRidExtension;
    private final int[] rtxSsrcs;
    private final boolean[] rtxKnown;
    private final NackRequester[] nacks;

    SimulcastLossRecovery(PublishedTrack track) {
        int n = track.rids().size();
        // RTX is unusable without repaired-rid: nothing else says which layer a retransmission SSRC repairs.
        this.rtxPayloadType = track.repairedRidExtension() > 0 ? track.rtxPayloadType() : -1;
        this.repairedRidExtension = track.repairedRidExtension();
        this.rtxSsrcs = new int[n];
        this.rtxKnown = new boolean[n];
        this.nacks = new NackRequester[n];
        for (int i = 0; i < n; i++) {
            nacks[i] = new NackRequester();
        }
    }

    /** The layer whose retransmission SSRC this is, or -1. */
    int layerOfRtx(int ssrc) {
        for (int i = 0; i < rtxSsrcs.length; i++) {
            if (rtxKnown[i] && rtxSsrcs[i] == ssrc) {
                return i;
            }
        }
        return -1;
    }

    /** Whether {@code payloadType} is the negotiated retransmission format (such packets never name a layer's media). */
    boolean isRtxPayloadType(int payloadType) {
        return rtxPayloadType >= 0 && payloadType == rtxPayloadType;
    }

    /**
     * Learns a layer's RTX SSRC from a retransmission (or padding) packet whose repaired-rid names a layer whose RTX
     * SSRC is not known yet; returns that layer, or -1 when the packet teaches nothing.
     */
    int learn(SimulcastLayers layers, byte[] buf, int off, int len) {
        if (!isRtxPayloadType(RtpHeader.payloadType(buf, off))) {
            return -1;
        }
        int ssrc = RtpHeader.ssrc(buf, off);
        int layer = layers.layerNamedBy(buf, off, len, repairedRidExtension);
        if (layer < 0 || rtxKnown[layer] || layerOfRtx(ssrc) >= 0 || layers.layerOf(ssrc) >= 0) {
            return -1;
        }
        rtxSsrcs[layer] = ssrc;
        rtxKnown[layer] = true;
        return layer;
    }

    /**
     * Turns a packet on a layer's RTX SSRC back, in place, into the packet of that layer it repairs; returns the
     * layer, or -1 (packet left as it was) when the layer's media SSRC is not known yet or the packet carries no
     * original (padding only: a bandwidth probe).
     */
    int unwrap(PacketBuffer in, SimulcastLayers layers, int mediaPayloadType) {
        int layer = layerOfRtx(RtpHeader.ssrc(in.array(), in.offset()));
        if (layer < 0 || !layers.known(layer)
                || RtxPacket.decapsulate(in, layers.ssrc(layer), mediaPayloadType) < 0) {
            return -1;
        }
        return layer;
    }

    /** Records an arriving packet of {@code layer}; false when it is a repeat (or too late) and must not be forwarded. */
    boolean accept(int layer, PacketBuffer in, long now, MediaLoop loop) {
        return nacks[layer].accept(in, now, loop);
    }

    /**
     * Timer tick: one NACK per {@code watched} layer (one that a subscriber or tap gets, or waits to switch to) that
     * misses packets due to be asked for again. Losses of a layer nobody watches are not asked for: repairing
     * them would spend the publisher's uplink, often the very link that loses, on packets that reach nobody. (A
     * layer that becomes watched is switched to at a keyframe, so its earlier losses do not matter.)
     */
    void sendDue(RtcpFeedbackSink publisher, SimulcastLayers layers, boolean[] watched, long now, MediaCounters counters) {
        for (int i = 0; i < nacks.length; i++) {
            if (!layers.known(i)) {
                continue;
            }
            if (watched[i]) {
                nacks[i].sendDue(publisher, layers.ssrc(i), now, counters);
            } else {
                nacks[i].forget(); // not given up either: the loss metrics count packets somebody missed
            }
        }
    }

    /** Packets of {@code layer} missing now. */
    int missing(int layer) {
        return nacks[layer].missing();
    }
}
