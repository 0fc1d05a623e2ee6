package dev.parley.sfu.media;

import dev.parley.sfu.MediaKind;
import dev.parley.sfu.packet.PacketBuffer;
import dev.parley.sfu.rtp.KeyframeRequestThrottle;
import dev.parley.sfu.rtp.NtpTime;
import dev.parley.sfu.rtp.ReceiveStatistics;
import dev.parley.sfu.rtp.RtcpWriter;
import dev.parley.sfu.rtp.RtpHeader;
import dev.parley.sfu.rtp.SendHistory;
import dev.parley.sfu.rtp.SenderReport;
import dev.parley.sfu.sdp.PublishedTrack;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * A stream a publisher sends, and its fan-out: each RTP packet is decrypted once, kept in the send
 * history (video) for NACKs, then rewritten and encrypted once per subscriber.
 */
public final class PublishedStream {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final MediaEngine engine;
    private final PeerTransport publisher;
    private final PublishedTrack track;
    private final byte[] midBytes;
    // Loop-confined; fixed from the start when the offer announced the SSRC, else learnt once from the mid.
    private int ssrc;
    private boolean ssrcKnown;
    private ReceiveStatistics statistics;
    private final SendHistory history;
    private final KeyframeRequestThrottle keyframes = new KeyframeRequestThrottle();
    // Loop-confined.
    private Forward[] forwards = new Forward[0];
    private TapFeed[] taps = new TapFeed[0];
    private final PacketBuffer out = new PacketBuffer();
    private boolean closed;
    private long bytesReceived;

    PublishedStream(MediaEngine engine, PeerTransport publisher, PublishedTrack track) {
        this.engine = engine;
        this.publisher = publisher;
        this.track = track;
        this.midBytes = track.mid().getBytes(StandardCharsets.US_ASCII);
        this.ssrc = track.ssrc();
        this.ssrcKnown = track.ssrcSignaled();
        this.statistics = new ReceiveStatistics(ssrc, track.codec().clockRate());
        // Audio is not retransmitted (no NACK negotiated for it), so only video keeps a history.
        this.history = track.kind() == MediaKind.VIDEO ? new SendHistory() : null;
    }

    public String mid() {
        return track.mid();
    }

    public MediaKind kind() {
        return track.kind();
    }

    /** The publisher's payload type for the codec (what tapped packets carry). */
    public int payloadType() {
        return track.payloadType();
    }

    /** Starts forwarding to {@code subscriber} under the given SSRC and payload type. */
    public void addSubscriber(PeerTransport subscriber, int outgoingSsrc, int payloadType) {
        Forward f = new Forward(this, subscriber, outgoingSsrc, payloadType, RANDOM.nextInt(0x10000));
        engine.onLoop(() -> {
            if (closed || subscriber.isClosed()) {
                return;
            }
            forwards = PeerTransport.append(forwards, f);
            subscriber.addForwardOnLoop(f);
        });
    }

    /** Stops forwarding to {@code subscriber}; harmless when it was not forwarded to. */
    public void removeSubscriber(PeerTransport subscriber) {
        engine.onLoop(() -> {
            for (Forward f : forwards) {
                if (f.subscriber() == subscriber) {
                    forwards = PeerTransport.remove(forwards, f);
                    subscriber.removeForwardOnLoop(f);
                }
            }
        });
    }

    /** Stops the stream and every forward of it. */
    public void close() {
        engine.onLoop(this::closeOnLoop);
    }

    // --- loop ---

    int ssrc() {
        return ssrc;
    }

    boolean ssrcKnown() {
        return ssrcKnown;
    }

    /**
     * Whether {@code packet} names this stream's m-section in its mid header extension while the offer left the
     * SSRC unannounced; if so, its SSRC becomes this stream's for good (RFC 8843 section 9.2).
     */
    boolean learnSsrcFromMid(byte[] buf, int off, int len) {
        if (ssrcKnown || track.midExtension() == 0) {
            return false;
        }
        long found = RtpHeader.findExtension(buf, off, len, track.midExtension());
        if (found < 0 || !Arrays.equals(buf, RtpHeader.extensionOffset(found),
                RtpHeader.extensionOffset(found) + RtpHeader.extensionLength(found), midBytes, 0, midBytes.length)) {
            return false;
        }
        ssrc = RtpHeader.ssrc(buf, off);
        ssrcKnown = true;
        // Once per stream, not per packet: the statistics report blocks must carry the learnt SSRC.
        statistics = new ReceiveStatistics(ssrc, track.codec().clockRate());
        return true;
    }

    ReceiveStatistics statistics() {
        return statistics;
    }

    long bytesReceived() {
        return bytesReceived;
    }

    int clockRate() {
        return track.codec().clockRate();
    }

    void closeOnLoop() {
        closed = true;
        for (Forward f : forwards) {
            f.subscriber().removeForwardOnLoop(f);
        }
        forwards = new Forward[0];
    }

    /** Starts copying packets to a tap; false when the stream has already stopped. */
    boolean addTapOnLoop(TapFeed feed) {
        if (closed) {
            return false;
        }
        taps = PeerTransport.append(taps, feed);
        return true;
    }

    void removeTapOnLoop(TapFeed feed) {
        taps = PeerTransport.remove(taps, feed);
    }

    void removeForwardOnLoop(Forward f) {
        forwards = PeerTransport.remove(forwards, f);
    }

    void onRtp(PacketBuffer in, long now) {
        byte[] buf = in.array();
        int off = in.offset();
        int seq = RtpHeader.sequenceNumber(buf, off);
        statistics.onPacket(seq, RtpHeader.timestamp(buf, off), now);
        bytesReceived += in.length();
        if (history != null) {
            history.store(in);
        }
        for (Forward f : forwards) {
            if (f.subscriber().connected()) {
                out.copyFrom(in);
                rewrite(out, f, seq);
                f.send(out);
            }
        }
        // Taps after subscribers: a copy into each tap's ring, whatever state the tap is in.
        for (TapFeed t : taps) {
            t.offerRtp(buf, off, in.length(), now);
        }
    }

    /** Answers a subscriber's NACK for one of its sequence numbers from the history. */
    void retransmit(Forward f, int outgoingSequence) {
        if (history == null || !f.subscriber().connected()) {
            return;
        }
        int seq = f.incomingSequence(outgoingSequence);
        if (history.get(seq, out)) {
            rewrite(out, f, seq);
            f.send(out);
        }
    }

    /** Relays the publisher's sender report to each subscriber under that subscriber's SSRC (for A/V sync and stats). */
    void onSenderReport(byte[] buf, int off, int len, long now) {
        if (len < SenderReport.HEADER_LENGTH) {
            return;
        }
        statistics.onSenderReport(SenderReport.ntpTimestamp(buf, off), now);
        for (TapFeed t : taps) {
            t.offerSenderReport(buf, off, now);
        }
        for (Forward f : forwards) {
            if (f.subscriber().connected()) {
                int n = RtcpWriter.writeSenderReport(out.array(), 0, f.ssrc(), SenderReport.ntpTimestamp(buf, off),
                        SenderReport.rtpTimestamp(buf, off), SenderReport.packetCount(buf, off),
                        SenderReport.octetCount(buf, off));
                out.setWindow(0, n);
                f.subscriber().sendRtcp(out);
                f.lastSenderReport = NtpTime.middle32(SenderReport.ntpTimestamp(buf, off));
                f.lastSenderReportSentNanos = now;
            }
        }
    }

    /** Asks the publisher for a keyframe, at most once per throttle interval. */
    void requestKeyframe(long now) {
        if (track.kind() != MediaKind.VIDEO || closed || !ssrcKnown || !publisher.connected() || !keyframes.tryForward(now)) {
            return;
        }
        int n = RtcpWriter.writePli(out.array(), 0, publisher.rtcpSsrc(), ssrc);
        out.setWindow(0, n);
        publisher.sendRtcp(out);
        engine.flush();
    }

    private static void rewrite(PacketBuffer p, Forward f, int incomingSequence) {
        byte[] b = p.array();
        int o = p.offset();
        RtpHeader.setSsrc(b, o, f.ssrc());
        RtpHeader.setSequenceNumber(b, o, f.outgoingSequence(incomingSequence));
        RtpHeader.setPayloadType(b, o, f.payloadType());
    }
}
