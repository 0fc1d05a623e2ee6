package dev.parley.sfu.media;

import dev.parley.sfu.MediaKind;
import dev.parley.sfu.packet.PacketBuffer;
import dev.parley.sfu.rtp.PaddingPacket;
import dev.parley.sfu.rtp.RtxSender;
import dev.parley.sfu.rtp.TransportSequenceExtension;
import dev.parley.sfu.srtp.SrtpSession;

/**
 * The sending side of one transport: the steps a packet Parley sends to this peer takes, listed in {@link #send}
 * (a forwarded copy) and {@link #sendRewritten} (a retransmission), plus what the sending needs: the forwards this
 * peer receives (its feedback names them by SSRC), the transport-cc send side (its bandwidth estimate and
 * probes), the SRTP session and the selected path, which {@link PeerTransport} hands in as they change.
 *
 * <p>Dependencies run one way: {@link PeerTransport} owns this; published streams and forwards hold it only as
 * the {@link PacketSender} (a subscriber) or the {@link RtcpFeedbackSink} (a publisher), and it reaches a stream
 * only through a forward's {@link ForwardSource}. Loop-confined, except {@link #markClosed}.
 */
final class RtpSendPipeline implements PacketSender, RtcpFeedbackSink {
    /** Padding packets one feedback tick sends at most (about 2 Mbit/s at 50 ms ticks of full packets). */
    private static final int MAX_PADDING_PACKETS_PER_TICK = 64;

    private final MediaLoop loop;
    private final int rtcpSsrc;
    /** Set from a control thread when the transport closes, so that nothing is sent from then on. */
    private volatile boolean closed;
    /** Set once the DTLS handshake completed. */
    private SrtpSession srtp;
    /** The selected pair's path; null before the first check and after its TCP connection closed. */
    private MediaPath path;
    private Forward[] forwards = new Forward[0];
    /** Created with the first packet sent. */
    private TransportCcSender transportCc;
    /** Where a copy is rewritten: the forwarded packet stays as it came for the next subscriber. */
    private final PacketBuffer copy = new PacketBuffer();
    private final PacketBuffer padding = new PacketBuffer();

    RtpSendPipeline(MediaLoop loop, int rtcpSsrc) {
        this.loop = loop;
        this.rtcpSsrc = rtcpSsrc;
    }

    // --- a sent copy's steps ---

    /**
     * A forwarded copy, step by step: pause / simulcast layer check → copy → rewrite (SSRC, sequence number,
     * timestamp, VP8 picture ids, payload type) → transport-cc stamp → protect (SRTP) → write to the selected
     * path. The publisher's packet was kept for retransmission before the fan-out ({@link PublishedStream}).
     *
     * <p>{@code now} is the packet's arrival time, read once per received packet, and it is also the copy's send
     * time for transport-cc: a copy is only queued here and leaves with the flush at the end of the read batch,
     * within microseconds of that read at ordinary fan-outs, and what the subscriber's estimate measures is the
     * spacing of its own packets, which a copy's place in the fan-out does not change. So the clock is not read
     * again per copy.
     */
    @Override
    public void send(Forward f, PacketBuffer in, int layer, boolean keyframe, long now) {
        if (!connected() || !f.takes(layer, keyframe)) {
            return;
        }
        copy.copyFrom(in);
        if (!f.rewrite(copy, now)) {
            return;
        }
        int length = copy.length();
        transportCc().stamp(copy, now); // the send time, which the subscriber's feedback is measured against
        if (!srtp.protectRtp(copy)) {
            return;
        }
        if (!path.write(loop, copy)) {
            return;
        }
        loop.counterSet().forwarded();
        f.countSent(length);
    }

    /**
     * A retransmission already rewritten for {@code f}: transport-cc stamp → protect → write. {@code now} is when
     * the NACK asking for it arrived, its send time as for {@link #send}.
     */
    @Override
    public boolean sendRewritten(Forward f, PacketBuffer p, long now) {
        MediaPath to = path;
        if (to == null || srtp == null) {
            return false;
        }
        int length = p.length();
        transportCc().stamp(p, now);
        if (!srtp.protectRtp(p) || !to.write(loop, p)) {
            return false;
        }
        loop.counterSet().forwarded();
        f.countSent(length);
        return true;
    }

    /** An RTCP packet Parley wrote for this peer: protect (SRTCP) → write. */
    @Override
    public void sendRtcp(PacketBuffer p) {
        MediaPath to = path;
        if (connected() && srtp.protectRtcp(p)) {
            to.write(loop, p);
        }
    }

    /** A probe's padding, on the RTX stream of a video this subscriber receives (it knows that SSRC); none without. */
    void sendPadding(int bytes, long now) {
        RtxSender rtx = null;
        for (Forward f : forwards) {
            if (f.rtx != null) {
                rtx = f.rtx;
                break;
            }
        }
        MediaPath to = path;
        if (rtx == null || to == null) {
            return;
        }
        for (int packets = 0; bytes > 0 && packets < MAX_PADDING_PACKETS_PER_TICK; packets++) {
            int pad = Math.min(PaddingPacket.MAX_PADDING, Math.max(1, bytes));
            int len = PaddingPacket.write(padding.array(), 0, rtx.payloadType(), rtx.takeSequence(), 0, rtx.ssrc(),
                    TransportSequenceExtension.PARLEY_ID, pad);
            padding.setWindow(0, len);
            transportCc.stampPadding(padding, now);
            if (!srtp.protectRtp(padding) || !to.write(loop, padding)) {
                return;
            }
            bytes -= len;
        }
    }

    // --- state the transport hands in ---

    /**
     * The DTLS handshake began: the subscriber's forwards ask their publishers for a keyframe now, so that it
     * arrives about when the keys do (a publisher answers in tens of milliseconds, about a handshake's time).
     */
    void keysComing(long now) {
        for (Forward f : forwards) {
            f.source().requestKeyframe(now);
        }
    }

    /**
     * The DTLS handshake completed: each forward gets the keyframe that went by during the handshake from its
     * stream's history, or asks again.
     */
    void keys(SrtpSession srtp, long now) {
        this.srtp = srtp;
        if (connected()) {
            for (Forward f : forwards) {
                f.source().subscriberConnected(f, now);
            }
        }
    }

    /** The path media goes to now (null: none until the browser picks another pair). */
    void path(MediaPath path) {
        this.path = path;
    }

    /** Any thread: the transport closed; nothing is sent from now on. */
    void markClosed() {
        closed = true;
    }

    /** Loop, once the transport closed: each stream stops copying to this peer. */
    void close() {
        for (Forward f : forwards) {
            f.source().removeForward(f);
        }
        forwards = new Forward[0];
    }

    // --- what streams and forwards ask ---

    @Override
    public boolean connected() {
        return srtp != null && path != null && !closed;
    }

    @Override
    public int rtcpSsrc() {
        return rtcpSsrc;
    }

    @Override
    public boolean addForward(Forward f) {
        if (closed) {
            return false;
        }
        forwards = CopyOnWriteArrays.append(forwards, f);
        if (connected()) {
            f.source().requestKeyframe(System.nanoTime());
        }
        return true;
    }

    @Override
    public void removeForward(Forward f) {
        forwards = CopyOnWriteArrays.remove(forwards, f);
    }

    @Override
    public long availableBitrateBps() {
        return transportCc == null ? -1 : transportCc.estimateBps();
    }

    @Override
    public long verifiedBitrateBps() {
        return transportCc == null ? -1 : transportCc.verifiedBps(System.nanoTime());
    }

    @Override
    public int videoForwardCount() {
        int n = 0;
        for (Forward f : forwards) {
            // A video paused by last-N or shown in a hidden tile takes no share of the bandwidth.
            if (f.kind() == MediaKind.VIDEO && !f.paused
                    && (f.simulcast == null || f.simulcast.tileWidth != 0 || f.simulcast.tileHeight != 0)) {
                n++;
            }
        }
        return n;
    }

    @Override
    public void probe(long targetBps, long fallbackBps) {
        if (transportCc != null && connected()) {
            transportCc.requestProbe(targetBps, fallbackBps, System.nanoTime());
        }
    }

    /** The forwards this peer receives (for its statistics). */
    Forward[] forwards() {
        return forwards;
    }

    /** The forward whose outgoing SSRC is {@code ssrc}, named by this peer's feedback; null if none. */
    Forward forwardBySsrc(int ssrc) {
        for (Forward f : forwards) {
            if (f.ssrc() == ssrc) {
                return f;
            }
        }
        return null;
    }

    /** The transport-cc send side: made with the first packet sent or the first feedback. */
    TransportCcSender transportCc() {
        if (transportCc == null) {
            transportCc = new TransportCcSender();
        }
        return transportCc;
    }

    /** The transport-cc send side if anything was sent yet, else null. */
    TransportCcSender transportCcIfStarted() {
        return transportCc;
    }
}
