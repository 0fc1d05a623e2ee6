package dev.parley.sfu.media;

import dev.parley.sfu.packet.PacketBuffer;
import dev.parley.sfu.rtp.Fir;
import dev.parley.sfu.rtp.NackIterator;
import dev.parley.sfu.rtp.ReportBlock;
import dev.parley.sfu.rtp.RtcpFeedback;
import dev.parley.sfu.rtp.RtcpIterator;
import dev.parley.sfu.rtp.RtcpPacket;
import dev.parley.sfu.rtp.RtpHeader;
import dev.parley.sfu.srtp.SrtpSession;

/**
 * The receiving side of one transport: the steps an SRTP or SRTCP packet from this peer takes, in order.
 *
 * <ul>
 *   <li>RTP ({@link #onRtp}, then {@link #onStreamPacket}): unprotect → parse → transport-cc record → find
 *       stream (SSRC, RTX SSRC, mid / rid) → transport-cc renumber → RTX unwrap → duplicate check and NACK
 *       tracking → simulcast layer → receive statistics → keep for retransmission → audio level → fan out to
 *       each forward ({@link RtpSendPipeline#send} lists a copy's steps) → taps.</li>
 *   <li>RTCP ({@link #onRtcp}): unprotect → parse the compound packet → per packet type: sender report (relayed
 *       by the stream it describes), receiver report blocks (the subscriber's loss, jitter, round-trip time),
 *       PLI / FIR (a keyframe from the publisher), NACK (retransmissions), transport-cc feedback (bandwidth
 *       estimate).</li>
 * </ul>
 *
 * <p>Each step is a small class ({@link TransportCcResponder}, {@link NackRequester}, ...) or a named method of
 * the stream it concerns. Dependencies run one way: {@link PeerTransport} owns this and the {@link RtpSendPipeline}
 * that feedback from this peer goes to; this calls streams, streams call forwards, forwards are sent through a
 * {@link PacketSender}. Loop-confined; nothing allocates per packet.
 */
final class RtpReceivePipeline {
    private final MediaLoop loop;
    /** Where this peer's feedback about what Parley sends it goes. */
    private final RtpSendPipeline sent;
    /** Set once the DTLS handshake completed. */
    private SrtpSession srtp;
    /** The streams this peer publishes. */
    private PublishedStream[] streams = new PublishedStream[0];
    /** Created when a published track negotiates transport-cc. */
    private TransportCcResponder transportCc;
    private final RtcpIterator rtcp = new RtcpIterator();
    private final NackIterator lost = new NackIterator();

    RtpReceivePipeline(MediaLoop loop, RtpSendPipeline sent) {
        this.loop = loop;
        this.sent = sent;
    }

    /** A packet of this peer's SRTP (RTP or RTCP, told apart by its payload type byte). */
    void onPacket(PacketBuffer in) {
        if (srtp == null) {
            loop.counterSet().dropped(DropReason.NOT_CONNECTED);
            return;
        }
        if (RtcpPacket.isRtcp(in.array(), in.offset(), in.length())) {
            onRtcp(in);
        } else {
            onRtp(in);
        }
    }

    // --- RTP ---

    /** A received RTP packet's transport steps, up to the stream it belongs to. */
    private void onRtp(PacketBuffer in) {
        MediaCounters counters = loop.counterSet();
        if (!srtp.unprotectRtp(in)) {
            counters.dropped(DropReason.SRTP_AUTH_FAILED);
            return;
        }
        if (!RtpHeader.isValid(in)) {
            counters.dropped(DropReason.MALFORMED);
            return;
        }
        byte[] buf = in.array();
        int ssrc = RtpHeader.ssrc(buf, in.offset());
        long now = System.nanoTime();
        if (transportCc != null) {
            // Transport-wide: every authenticated packet is reported, also one whose stream is not known yet (a
            // browser's first bandwidth probes can come before any packet names its simulcast layer).
            transportCc.onPacket(buf, in.offset(), in.length(), ssrc, now);
        }
        PublishedStream s = streamOf(in, ssrc);
        if (s == null) {
            counters.dropped(DropReason.UNKNOWN_SSRC);
            return;
        }
        if (transportCc != null) {
            transportCc.renumber(buf, in.offset(), in.length());
        }
        onStreamPacket(s, in, ssrc, now);
    }

    /** A received RTP packet's steps in the stream {@code s} it belongs to: from RTX unwrap to fan-out and taps. */
    static void onStreamPacket(PublishedStream s, PacketBuffer in, int ssrc, long now) {
        if (s.isRtxSsrc(ssrc) && !s.unwrapRtx(in)) {
            return;
        }
        if (!s.acceptSequence(in, now)) {
            return; // a repeat, or too late: the NACK tracking saw it before
        }
        int layer = s.layerOf(in);
        if (layer == PublishedStream.UNKNOWN_LAYER) {
            return;
        }
        boolean keyframe = s.recordReceived(in, layer, now);
        s.keepForRetransmission(in, layer);
        s.measureLoudness(in, now);
        s.fanOut(in, layer, keyframe, now);
        s.offerTaps(in, layer, keyframe, now);
    }

    /** Step "find stream": by SSRC, then RTX SSRC, then the mid (or rid) extension of a not yet announced one. */
    private PublishedStream streamOf(PacketBuffer in, int ssrc) {
        for (PublishedStream s : streams) {
            if (s.receives(ssrc)) {
                return s;
            }
        }
        for (PublishedStream s : streams) {
            if (s.isRtxSsrc(ssrc)) {
                return s;
            }
        }
        for (PublishedStream s : streams) {
            if (s.learnSsrcFromMid(in.array(), in.offset(), in.length())) {
                return s;
            }
        }
        return null;
    }

    // --- RTCP ---

    /** A received RTCP packet's steps: unprotect, parse, then each packet of the compound by its type. */
    private void onRtcp(PacketBuffer in) {
        if (!srtp.unprotectRtcp(in)) {
            loop.counterSet().dropped(DropReason.SRTP_AUTH_FAILED);
            return;
        }
        byte[] buf = in.array();
        if (!rtcp.reset(buf, in.offset(), in.length())) {
            loop.counterSet().dropped(DropReason.MALFORMED);
            return;
        }
        long now = System.nanoTime();
        while (rtcp.next()) {
            int type = rtcp.type();
            int fmt = rtcp.count();
            int off = rtcp.offset();
            int len = rtcp.length();
            if (type == RtcpPacket.SR || type == RtcpPacket.RR) {
                if (type == RtcpPacket.SR) {
                    onSenderReport(buf, off, len, now);
                }
                onReportBlocks(buf, off, len, fmt, now);
            } else if (RtcpFeedback.isPli(type, fmt) && len >= RtcpFeedback.HEADER_LENGTH) {
                onKeyframeRequest(RtcpFeedback.mediaSsrc(buf, off), now);
            } else if (RtcpFeedback.isFir(type, fmt) && len >= RtcpFeedback.HEADER_LENGTH + Fir.ENTRY_LENGTH) {
                onKeyframeRequest(Fir.entrySsrc(buf, off, 0), now);
            } else if (RtcpFeedback.isNack(type, fmt) && len >= RtcpFeedback.HEADER_LENGTH) {
                onNack(buf, off, len, now);
            } else if (type == RtcpPacket.RTPFB && fmt == RtcpFeedback.FMT_TRANSPORT_CC) {
                sent.transportCc().onFeedback(buf, off, len, now);
            }
            // SDES, BYE, REMB: not used yet.
        }
        if (!rtcp.isValid()) {
            loop.counterSet().dropped(DropReason.MALFORMED);
        }
    }

    /** A publisher's sender report: its stream relays it to each subscriber (A/V sync, round-trip time). */
    private void onSenderReport(byte[] buf, int off, int len, long now) {
        int ssrc = RtcpPacket.senderSsrc(buf, off);
        for (PublishedStream s : streams) {
            if (s.receives(ssrc)) {
                s.onSenderReport(buf, off, len, now);
                return;
            }
        }
    }

    /** A subscriber's PLI or FIR for a stream Parley forwards to it: its publisher is asked for a keyframe. */
    private void onKeyframeRequest(int mediaSsrc, long now) {
        Forward f = sent.forwardBySsrc(mediaSsrc);
        if (f != null) {
            f.source().requestKeyframe(now);
        }
    }

    /** A subscriber's NACK: each packet it names is resent from the stream's history (sent as of {@code now}). */
    private void onNack(byte[] buf, int off, int len, long now) {
        Forward f = sent.forwardBySsrc(RtcpFeedback.mediaSsrc(buf, off));
        if (f != null) {
            lost.reset(buf, off, len);
            int asked = 0;
            while (lost.hasNext()) {
                f.source().retransmit(f, lost.nextSequenceNumber(), now);
                asked++;
            }
            loop.counterSet().nacksReceived(asked);
        }
    }

    /** A subscriber's receiver report blocks: how each stream Parley forwards to it arrives. */
    private void onReportBlocks(byte[] buf, int off, int len, int count, long now) {
        for (int i = 0; i < count; i++) {
            int block = ReportBlock.offset(buf, off, i);
            if (block + ReportBlock.LENGTH > off + len) {
                return; // a count that claims more blocks than the packet holds
            }
            Forward f = sent.forwardBySsrc(ReportBlock.ssrc(buf, block));
            if (f != null) {
                sent.transportCc().onReportedLoss(ReportBlock.fractionLost(buf, block), now);
                f.reportedLost = ReportBlock.cumulativeLost(buf, block);
                f.reportedJitter = ReportBlock.jitter(buf, block);
                int lsr = ReportBlock.lastSenderReport(buf, block);
                if (lsr != 0 && lsr == f.lastSenderReport) {
                    // RTT = now - when we sent that SR - how long the subscriber held it (DLSR, 1/65536 s).
                    long held = ReportBlock.delaySinceLastSenderReport(buf, block) * 1_000_000_000L >>> 16;
                    long rtt = now - f.lastSenderReportSentNanos - held;
                    if (rtt >= 0) {
                        f.roundTripNanos = rtt;
                    }
                }
            }
        }
    }

    // --- state the transport hands in ---

    /** The DTLS handshake completed. */
    void keys(SrtpSession srtp) {
        this.srtp = srtp;
    }

    /** A track the peer publishes; transport-cc is answered once some track negotiated it. */
    void addStream(PublishedStream s, int transportCcExtension) {
        streams = CopyOnWriteArrays.append(streams, s);
        if (transportCcExtension > 0 && transportCc == null) {
            transportCc = new TransportCcResponder(transportCcExtension);
        }
    }

    /** The transport closed: each stream stops, and the list empties. */
    void close() {
        for (PublishedStream s : streams) {
            s.closeOnLoop();
        }
        streams = new PublishedStream[0];
    }

    /** The streams this peer publishes (for reports, REMB, NACKs and statistics). */
    PublishedStream[] streams() {
        return streams;
    }

    /** The transport-cc receive side, or null when no track negotiated it. */
    TransportCcResponder transportCc() {
        return transportCc;
    }
}
