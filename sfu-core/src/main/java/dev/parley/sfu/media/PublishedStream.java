package dev.parley.sfu.media;

import dev.parley.sfu.MediaKind;
import dev.parley.sfu.packet.PacketBuffer;
import dev.parley.sfu.rtp.H264Payload;
import dev.parley.sfu.rtp.KeyframeRequestThrottle;
import dev.parley.sfu.rtp.NtpTime;
import dev.parley.sfu.rtp.ReceiveStatistics;
import dev.parley.sfu.rtp.RtcpPacket;
import dev.parley.sfu.rtp.RtcpWriter;
import dev.parley.sfu.rtp.RtpHeader;
import dev.parley.sfu.rtp.RtxPacket;
import dev.parley.sfu.rtp.RtxSender;
import dev.parley.sfu.rtp.SendHistory;
import dev.parley.sfu.rtp.SenderReport;
import dev.parley.sfu.sdp.PublishedTrack;
import dev.parley.sfu.speaker.LoudnessMeter;
import dev.parley.sfu.rtp.Vp8Payload;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stream a publisher sends, and its fan-out: each RTP packet is decrypted once, kept in the send
 * history (video) for NACKs, then rewritten and encrypted once per subscriber.
 *
 * <p>Its receive steps (RTX unwrap, duplicate check, statistics, history, loudness, fan-out, taps) are listed by
 * {@link RtpReceivePipeline}; each forward's copy goes through its subscriber's {@link PacketSender}. It holds its
 * publisher only as an {@link RtcpFeedbackSink} (for PLI and NACK), and its forwards hold it only as a
 * {@link ForwardSource}: nothing here calls a transport.
 */
public final class PublishedStream {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Logger log = LoggerFactory.getLogger(PublishedStream.class);
    /** {@link #layerOf}: a packet of a simulcast stream whose layer is not known (dropped). */
    static final int UNKNOWN_LAYER = -2;

    /** The media loop of the publisher's room (its subscribers' too). */
    private final MediaLoop engine;
    private final RtcpFeedbackSink publisher;
    private final PublishedTrack track;
    private final byte[] midBytes;
    // Loop-confined; fixed from the start when the offer announced the SSRC, else learnt once from the mid.
    private int ssrc;
    private boolean ssrcKnown;
    private ReceiveStatistics statistics;
    private final SendHistory history;
    /** Video: asks the publisher again for lost packets and drops repeats; null for audio. */
    private final NackRequester nacks;
    // Loop-confined, like the media SSRC: the publisher's RFC 4588 retransmission SSRC, when negotiated.
    private int rtxSsrc;
    private boolean rtxSsrcKnown;
    private final PacketBuffer rtxOut = new PacketBuffer();
    private final KeyframeRequestThrottle keyframes = new KeyframeRequestThrottle();
    /** Without simulcast: where the latest keyframe starts in {@link #history}. */
    private final KeyframeStart keyframeStart = new KeyframeStart();
    private final boolean vp8;
    /** Debug log only: when the PLI that the next keyframe answers went out (0: none outstanding). Loop-confined. */
    private long pliAnsweredAfter;
    // Loop-confined.
    private Forward[] forwards = new Forward[0];
    private TapFeed[] taps = new TapFeed[0];
    private final PacketBuffer out = new PacketBuffer();
    private boolean closed;
    private long bytesReceived;
    /** Loudness published every {@link #LOUDNESS_PACKETS} audio packets: one volatile write per ~200 ms, not per packet. */
    private static final int LOUDNESS_PACKETS = 10;
    private static final long LOUDNESS_STALE_NANOS = 1_000_000_000L;
    private final LoudnessMeter loudness = new LoudnessMeter(LOUDNESS_PACKETS);
    private volatile int recentLoudness = -1;
    private volatile long loudnessAtNanos;
    /** The simulcast layers when the publisher sends them; null for a single stream. */
    private final SimulcastLayers layers;
    /** With simulcast: each layer's NACKs and RTX SSRC; null for a single stream. */
    private final SimulcastLossRecovery layerRecovery;
    /** Told (on the loop) which layers subscribers need, whenever that changes; null when nobody listens. */
    private volatile java.util.function.Consumer<boolean[]> neededLayersListener;
    private boolean[] neededLayers;
    /** With simulcast: which layers are NACKed on this tick ({@link #watchedLayers}); null for a single stream. */
    private final boolean[] watched;

    PublishedStream(MediaLoop engine, RtcpFeedbackSink publisher, PublishedTrack track) {
        this.engine = engine;
        this.publisher = publisher;
        this.track = track;
        this.midBytes = track.mid().getBytes(StandardCharsets.US_ASCII);
        this.ssrc = track.ssrc();
        this.ssrcKnown = track.ssrcSignaled();
        this.statistics = new ReceiveStatistics(ssrc, track.codec().clockRate());
        // Audio is not retransmitted (no NACK negotiated for it), so only video keeps a history.
        this.history = track.kind() == MediaKind.VIDEO && !track.simulcast() ? new SendHistory() : null;
        this.vp8 = track.codec().name().equalsIgnoreCase("VP8");
        this.layers = track.simulcast() ? new SimulcastLayers(track, vp8) : null;
        // One sequence-number space: a simulcast stream has one per layer, in layerRecovery.
        this.nacks = track.kind() == MediaKind.VIDEO && !track.simulcast() ? new NackRequester() : null;
        this.layerRecovery = layers != null ? new SimulcastLossRecovery(track) : null;
        this.watched = layers != null ? new boolean[layers.count()] : null;
        this.rtxSsrc = track.rtxSsrc();
        this.rtxSsrcKnown = track.hasRtx() && track.rtxSsrcSignaled();
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
        PacketSender to = subscriber.packetSender();
        Forward f = layers == null ? forward(to, outgoingSsrc, payloadType, RANDOM.nextInt(0x10000), null)
                : simulcastForward(to, outgoingSsrc, payloadType);
        engine.onLoop(() -> addForwardOnLoop(f));
    }

    /**
     * Starts forwarding video to {@code subscriber} under the given SSRC and payload type, and answers its NACKs
     * with RFC 4588 retransmissions on {@code rtxSsrc} with {@code rtxPayloadType}.
     */
    public void addSubscriber(PeerTransport subscriber, int outgoingSsrc, int payloadType, int rtxSsrc, int rtxPayloadType) {
        PacketSender to = subscriber.packetSender();
        Forward f = layers == null ? forward(to, outgoingSsrc, payloadType, RANDOM.nextInt(0x10000), null)
                : simulcastForward(to, outgoingSsrc, payloadType);
        f.rtx = new RtxSender(rtxSsrc, rtxPayloadType, RANDOM.nextInt(0x10000));
        engine.onLoop(() -> addForwardOnLoop(f));
    }

    /** Loop: starts copying to {@code f} unless the stream or the subscriber's transport has closed. */
    private boolean addForwardOnLoop(Forward f) {
        if (closed) {
            return false;
        }
        forwards = CopyOnWriteArrays.append(forwards, f); // first: registering may ask for this forward's keyframe
        if (!f.sender().addForward(f)) {
            forwards = CopyOnWriteArrays.remove(forwards, f);
            return false;
        }
        return true;
    }

    private Forward forward(PacketSender to, int outgoingSsrc, int payloadType, int sequenceOffset,
                            SwitchingRewriter rewriter) {
        return new Forward(asSource, to, track.kind(), track.codec().clockRate(), outgoingSsrc, payloadType,
                sequenceOffset, rewriter);
    }

    /**
     * Starts forwarding to {@code subscriber} through {@code rewriter}, which continues the numbering of whatever
     * that outgoing stream carried before (see {@link SwitchingRewriter}); the publisher is asked for a keyframe.
     */
    public void addSwitchedSubscriber(PeerTransport subscriber, int outgoingSsrc, int payloadType, SwitchingRewriter rewriter) {
        Forward f = forward(subscriber.packetSender(), outgoingSsrc, payloadType, 0, rewriter);
        if (layers != null) {
            f.simulcast = new SimulcastForward(); // one layer of simulcast, chosen like a subscriber's
        }
        engine.onLoop(() -> {
            if (closed) {
                return;
            }
            rewriter.beginSegment();
            if (addForwardOnLoop(f)) {
                requestKeyframe(System.nanoTime());
            }
        });
    }

    /**
     * The publisher's recent loudness from its RFC 6464 audio-level extension, as {@code 127 - dBov} (0 silence,
     * 127 loudest) averaged by energy over its last few packets ({@link LoudnessMeter}); -1 when the extension is
     * not negotiated or nothing arrived lately. Safe to read from any thread.
     */
    public int recentLoudness() {
        return (System.nanoTime() - loudnessAtNanos) > LOUDNESS_STALE_NANOS ? -1 : recentLoudness;
    }

    /**
     * Last-N: stops sending this stream to {@code subscriber} (its forward stays, so resuming needs no
     * renegotiation), or resumes it and asks the publisher for a keyframe so that the picture comes back at once.
     */
    public void setPaused(PeerTransport subscriber, boolean paused) {
        PacketSender to = subscriber.packetSender();
        engine.onLoop(() -> {
            for (Forward f : forwards) {
                if (f.sender() == to && f.paused != paused) {
                    f.paused = paused;
                    if (!paused) {
                        f.resumed = true;
                        requestKeyframe(System.nanoTime());
                    }
                }
            }
        });
    }

    /** Stops forwarding to {@code subscriber}; harmless when it was not forwarded to. */
    public void removeSubscriber(PeerTransport subscriber) {
        PacketSender to = subscriber.packetSender();
        engine.onLoop(() -> {
            for (Forward f : forwards) {
                if (f.sender() == to) {
                    forwards = CopyOnWriteArrays.remove(forwards, f);
                    to.removeForward(f);
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
        if (layers != null) {
            // Each layer's SSRC from its rid, each layer's RTX SSRC from its repaired-rid.
            return layers.learn(buf, off, len) >= 0 || layerRecovery.learn(layers, buf, off, len) >= 0;
        }
        // A retransmission names the m-section too; its SSRC is the RTX one (and may come first: padding probes).
        boolean rtx = track.hasRtx() && RtpHeader.payloadType(buf, off) == track.rtxPayloadType();
        if ((rtx ? rtxSsrcKnown : ssrcKnown) || track.midExtension() == 0) {
            return false;
        }
        long found = RtpHeader.findExtension(buf, off, len, track.midExtension());
        if (found < 0 || !Arrays.equals(buf, RtpHeader.extensionOffset(found),
                RtpHeader.extensionOffset(found) + RtpHeader.extensionLength(found), midBytes, 0, midBytes.length)) {
            return false;
        }
        if (rtx) {
            rtxSsrc = RtpHeader.ssrc(buf, off);
            rtxSsrcKnown = true;
            return true;
        }
        ssrc = RtpHeader.ssrc(buf, off);
        ssrcKnown = true;
        // Once per stream, not per packet: the statistics report blocks must carry the learnt SSRC.
        statistics = new ReceiveStatistics(ssrc, track.codec().clockRate());
        return true;
    }

    ReceiveStatistics statistics() {
        if (layers != null) {
            for (int i = layers.count() - 1; i >= 0; i--) {
                if (layers.known(i)) {
                    return layers.statistics(i); // the top layer that flowed stands for the stream in stats
                }
            }
        }
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
            f.sender().removeForward(f);
        }
        forwards = new Forward[0];
    }

    /** Starts copying packets to a tap; false when the stream has already stopped. */
    boolean addTapOnLoop(TapFeed feed) {
        if (closed) {
            return false;
        }
        if (layers != null) {
            // The best layer that flows, as one stream; chosen now (the keyframe request that follows the tap's start
            // asks that layer), not at the next once-a-second choice: a recording's video would start that much later.
            TapLayerFollower follower = TapLayerFollower.of(track);
            follower.choose(layers.flowingNow(System.nanoTime()));
            feed.followLayers(follower);
        }
        taps = CopyOnWriteArrays.append(taps, feed);
        return true;
    }

    private void removeTapOnLoop(TapFeed feed) {
        taps = CopyOnWriteArrays.remove(taps, feed);
    }

    /** How a forward reaches this stream: its subscriber's feedback, and its transport closing. */
    private final ForwardSource asSource = new ForwardSource() {
        @Override
        public void requestKeyframe(long now) {
            PublishedStream.this.requestKeyframe(now);
        }

        @Override
        public void subscriberConnected(Forward f, long now) {
            PublishedStream.this.subscriberConnected(f, now);
        }

        @Override
        public void retransmit(Forward f, int outgoingSequence, long now) {
            PublishedStream.this.retransmit(f, outgoingSequence, now);
        }

        @Override
        public void removeForward(Forward f) {
            forwards = CopyOnWriteArrays.remove(forwards, f);
        }
    };

    /** How a tap's feed reaches this stream: its keyframe requests, and its detaching. */
    private final TapSource asTapSource = new TapSource() {
        @Override
        public void requestKeyframe(long now) {
            PublishedStream.this.requestKeyframe(now);
        }

        @Override
        public void removeTap(TapFeed feed) {
            removeTapOnLoop(feed);
        }
    };

    /** What a tap's feed of this stream holds of it ({@link TapFeed}). */
    TapSource tapSource() {
        return asTapSource;
    }

    /** Whether {@code ssrc} is this stream's retransmission SSRC (then its packets are unwrapped: {@link #unwrapRtx}). */
    boolean isRtxSsrc(int ssrc) {
        if (layerRecovery != null) {
            return layerRecovery.layerOfRtx(ssrc) >= 0;
        }
        return rtxSsrcKnown && ssrc == rtxSsrc;
    }

    // --- a received packet's steps, in the order RtpReceivePipeline#onStreamPacket takes them ---

    /**
     * Step "RTX unwrap": a packet on the retransmission SSRC becomes the packet it repairs, which goes on like any
     * other (unless the original made it after all). False for one that carries no media (padding of a bandwidth
     * probe) or that cannot be unwrapped: it goes no further.
     */
    boolean unwrapRtx(PacketBuffer in) {
        if (layerRecovery != null) {
            if (layerRecovery.unwrap(in, layers, track.payloadType()) < 0) {
                return false;
            }
            engine.counterSet().retransmissionReceived();
            return true;
        }
        if (nacks == null || !ssrcKnown || RtxPacket.decapsulate(in, ssrc, track.payloadType()) < 0) {
            return false;
        }
        engine.counterSet().retransmissionReceived();
        return true;
    }

    /** Step "duplicate check and NACK tracking" (per layer with simulcast): false for a repeat (or one too late). */
    boolean acceptSequence(PacketBuffer in, long now) {
        if (nacks != null) {
            return nacks.accept(in, now, engine);
        }
        if (layerRecovery != null) {
            int layer = layers.layerOf(RtpHeader.ssrc(in.array(), in.offset()));
            return layer >= 0 && layerRecovery.accept(layer, in, now, engine);
        }
        return true;
    }

    /** Step "simulcast layer": the packet's layer, -1 without simulcast, {@link #UNKNOWN_LAYER} for none known. */
    int layerOf(PacketBuffer in) {
        if (layers == null) {
            return -1;
        }
        int layer = layers.layerOf(RtpHeader.ssrc(in.array(), in.offset()));
        return layer < 0 ? UNKNOWN_LAYER : layer;
    }

    /**
     * Step "receive statistics": counts the packet for the receiver reports (per layer with simulcast, whose
     * flow and keyframes are tracked too); returns whether it starts a keyframe of its layer (false without
     * simulcast, where nothing asks).
     */
    boolean recordReceived(PacketBuffer in, int layer, long now) {
        byte[] buf = in.array();
        int off = in.offset();
        boolean keyframe = false;
        ReceiveStatistics stats = statistics;
        if (layer >= 0) {
            keyframe = layers.onPacket(layer, buf, off, in.length(), now);
            stats = layers.statistics(layer);
        } else if (history != null && startsKeyframe(buf, off, in.length())) {
            keyframeStart.onKeyframe(buf, off, now);
            keyframes.onKeyframe(); // answers the requests so far: a subscriber connecting later asks again
        }
        stats.onPacket(RtpHeader.sequenceNumber(buf, off), RtpHeader.timestamp(buf, off), now);
        bytesReceived += in.length();
        return keyframe;
    }

    private boolean startsKeyframe(byte[] buf, int off, int len) {
        int p = RtpHeader.payloadOffset(buf, off);
        int n = RtpHeader.payloadLength(buf, off, len);
        if (n <= 0) {
            return false;
        }
        return vp8 ? Vp8Payload.isKeyframe(buf, p, n) : H264Payload.isKeyframe(buf, p, n);
    }

    /** Step "keep for retransmission": video keeps each packet (per layer with simulcast) to answer NACKs from. */
    void keepForRetransmission(PacketBuffer in, int layer) {
        if (layer >= 0) {
            layers.history(layer).store(in);
        } else if (history != null) {
            history.store(in);
        }
    }

    /** Step "audio level": the RFC 6464 level, when negotiated, feeds the loudness the speaker detection reads. */
    void measureLoudness(PacketBuffer in, long now) {
        if (track.audioLevelExtension() > 0) {
            measureLoudness(in.array(), in.offset(), in.length(), now);
        }
    }

    /** Step "fan out": a copy for each subscriber, through its {@link PacketSender} (which lists a copy's steps). */
    void fanOut(PacketBuffer in, int layer, boolean keyframe, long now) {
        if (pliAnsweredAfter != 0) {
            noteKeyframeAfterPli(in);
        }
        for (Forward f : forwards) {
            f.sender().send(f, in, layer, keyframe, now);
        }
    }

    /**
     * Step "taps", after subscribers: a copy into each tap's ring, whatever state the tap is in. Of simulcast, a tap
     * (a recording) gets the best layer that flows, as one stream (TapLayerFollower).
     */
    void offerTaps(PacketBuffer in, int layer, boolean keyframe, long now) {
        for (TapFeed t : taps) {
            t.offerRtp(layer, keyframe, in.array(), in.offset(), in.length(), now);
        }
    }

    /** The NACK timer's tick: asks the publisher for the packets due to be asked for, and for a held-back keyframe. */
    void sendNacks(long now) {
        if (nacks != null && !closed && ssrcKnown && publisher.connected()) {
            nacks.sendDue(publisher, ssrc, now, engine.counterSet());
            if (keyframes.takeDeferred(now)) {
                sendPli();
            }
        } else if (layerRecovery != null && !closed) {
            if (layers.noticeStops(now)) {
                onLayersStopped(now);
            }
            if (publisher.connected()) {
                layerRecovery.sendDue(publisher, layers, watchedLayers(), now, engine.counterSet());
                for (int i = 0; i < layers.count(); i++) {
                    if (layers.takeDeferredKeyframeRequest(i, now)) {
                        sendLayerPli(i);
                    }
                }
            }
        }
    }

    /** Answers a subscriber's NACK, which arrived at {@code now}, for one of its sequence numbers from the history. */
    void retransmit(Forward f, int outgoingSequence, long now) {
        SendHistory history = this.history;
        if (f.simulcast != null && f.simulcast.current() >= 0) {
            history = layers.history(f.simulcast.current()); // the layer whose numbering the forward continues now
        }
        if (history == null || f.paused || !f.sender().connected()) {
            return;
        }
        int seq = f.incomingSequence(outgoingSequence);
        if (seq < 0) {
            return; // sent from an earlier source of a switched stream
        }
        if (history.get(seq, out)) {
            f.rewriteRetransmission(out, seq);
            if (f.rtx == null) {
                f.sender().sendRewritten(f, out, now);
            } else if (f.rtx.wrap(out, rtxOut)) {
                f.sender().sendRewritten(f, rtxOut, now);
            } else {
                return;
            }
            engine.counterSet().retransmissionSent();
        }
    }

    /** Relays the publisher's sender report to each subscriber under that subscriber's SSRC (for A/V sync and stats). */
    void onSenderReport(byte[] buf, int off, int len, long now) {
        if (len < SenderReport.HEADER_LENGTH) {
            return;
        }
        int layer = -1;
        if (layers != null) {
            layer = layers.layerOf(RtcpPacket.senderSsrc(buf, off));
            if (layer < 0) {
                return;
            }
            layers.statistics(layer).onSenderReport(SenderReport.ntpTimestamp(buf, off), now);
        } else {
            statistics.onSenderReport(SenderReport.ntpTimestamp(buf, off), now);
        }
        for (TapFeed t : taps) {
            t.offerSenderReport(layer, buf, off, now);
        }
        for (Forward f : forwards) {
            if (f.simulcast != null && f.simulcast.current() != layer) {
                continue; // another layer's timeline: only the forwarded layer's report maps onto the subscriber's
            }
            if (f.sender().connected() && !f.paused && (f.rewriter == null || f.rewriter.started())) {
                int rtpTime = SenderReport.rtpTimestamp(buf, off);
                if (f.rewriter != null) {
                    rtpTime = f.rewriter.outgoingTimestamp(rtpTime);
                }
                int n = RtcpWriter.writeSenderReport(out.array(), 0, f.ssrc(), SenderReport.ntpTimestamp(buf, off),
                        rtpTime, SenderReport.packetCount(buf, off),
                        SenderReport.octetCount(buf, off));
                out.setWindow(0, n);
                f.sender().sendRtcp(out);
                f.lastSenderReport = NtpTime.middle32(SenderReport.ntpTimestamp(buf, off));
                f.lastSenderReportSentNanos = now;
            }
        }
    }

    /** Asks the publisher for a keyframe, at most once per throttle interval (a later one is held back, not dropped). */
    void requestKeyframe(long now) {
        if (layers != null) {
            requestLayerKeyframes(now, false);
            return;
        }
        if (track.kind() != MediaKind.VIDEO || closed || !ssrcKnown || !publisher.connected() || !keyframes.tryForward(now)) {
            return; // a throttled request is held back and sent by the NACK tick when its interval ends
        }
        sendPli();
        engine.flush();
    }

    /**
     * Loop: {@code f}'s subscriber connection came up, having asked for a keyframe when its handshake began. If that
     * keyframe (or another recent one) went by meanwhile, it is sent from the history ({@link KeyframeCatchUp});
     * else the publisher is asked again, unless the answer to a recent request is still on its way.
     */
    void subscriberConnected(Forward f, long now) {
        if (track.kind() != MediaKind.VIDEO || closed || f.paused) {
            return;
        }
        int sent;
        if (layers == null) {
            sent = history == null ? 0 : KeyframeCatchUp.send(f, history, keyframeStart, -1, false, out, now);
        } else {
            int layer = catchUpLayer(f.simulcast, now);
            sent = layer < 0 ? 0 : KeyframeCatchUp.send(f, layers.history(layer), layers.keyframeStart(layer), layer,
                    true, out, now);
        }
        if (sent > 0) {
            engine.flush();
            log.debug("a subscriber of video mid {} caught up: {} packets from a keyframe in the history",
                    track.mid(), sent);
            return;
        }
        requestMissedKeyframe(now);
    }

    /**
     * The layer whose recent keyframe a newly connected simulcast subscriber is sent: its target once chosen,
     * else the lowest with a recent keyframe, as the live stream would start it on the first keyframe to come.
     */
    private int catchUpLayer(SimulcastForward s, long now) {
        if (s == null) {
            return -1;
        }
        if (s.decided()) {
            return s.target();
        }
        for (int i = 0; i < layers.count(); i++) {
            if (layers.keyframeStart(i).recent(now, KeyframeCatchUp.MAX_AGE_NANOS) >= 0) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Asks the publisher again for a subscriber whose connection came up, only if the answer to the request it made
     * when its handshake began went by before it could receive it ({@link KeyframeRequestThrottle#tryForwardMissed}).
     */
    private void requestMissedKeyframe(long now) {
        if (layers != null) {
            requestLayerKeyframes(now, true);
            return;
        }
        if (track.kind() != MediaKind.VIDEO || closed || !ssrcKnown || !publisher.connected()
                || !keyframes.tryForwardMissed(now)) {
            return;
        }
        sendPli();
        engine.flush();
    }

    private void sendPli() {
        int n = RtcpWriter.writePli(out.array(), 0, publisher.rtcpSsrc(), ssrc);
        out.setWindow(0, n);
        publisher.sendRtcp(out);
        if (log.isDebugEnabled()) {
            log.debug("PLI sent to the publisher of video {}", Integer.toUnsignedString(ssrc));
            if (pliAnsweredAfter == 0 && track.codec().name().equalsIgnoreCase("VP8")) {
                pliAnsweredAfter = System.nanoTime();
            }
        }
    }

    /**
     * Debug log only: notes the first VP8 keyframe after a PLI (for the join timeline in docs/performance.md).
     * {@link #pliAnsweredAfter} is set only while debug logging is on, so this is one comparison per packet otherwise.
     */
    private void noteKeyframeAfterPli(PacketBuffer in) {
        byte[] b = in.array();
        int o = in.offset();
        int payload = RtpHeader.payloadOffset(b, o);
        if (payload > 0 && Vp8Payload.isKeyframe(b, payload, RtpHeader.payloadLength(b, o, in.length()))) {
            log.debug("keyframe of video {} arrived {} ms after the PLI", Integer.toUnsignedString(ssrc),
                    (System.nanoTime() - pliAnsweredAfter) / 1_000_000);
            pliAnsweredAfter = 0;
        }
    }

    private void measureLoudness(byte[] buf, int off, int len, long now) {
        int level = RtpHeader.audioLevel(buf, off, len, track.audioLevelExtension());
        if (level < 0) {
            return;
        }
        if (loudness.add(RtpHeader.level(level))) {
            recentLoudness = loudness.loudness();
            loudnessAtNanos = now;
        }
    }

    // --- the bitrate the publisher is allowed for this stream (REMB) ---

    /** Set by whoever knows better than the subscribers' estimates (e.g. a layer selector); -1: not set. */
    private volatile long allowedBitrate = -1;

    /**
     * Sets how many bits per second the publisher may spend on this stream, from any thread; Parley still caps it
     * at the server's max publish bitrate. -1 goes back to the default: the highest estimate among the stream's
     * subscribers.
     */
    public void setAllowedBitrate(long bps) {
        if (bps < -1) {
            throw new IllegalArgumentException("allowed bitrate must be >= 0, or -1 for the default; got " + bps);
        }
        allowedBitrate = bps;
    }

    /**
     * Loop: what the publisher may spend on this stream: the set value, else the highest estimate of what a
     * subscriber of it can receive (the best-connected subscriber must not be starved by the others; simulcast
     * serves the rest), else {@code maxBps} while no subscriber has an estimate; never above {@code maxBps}.
     */
    long allowedBitrateBps(long maxBps) {
        long set = allowedBitrate;
        if (set >= 0) {
            return Math.min(set, maxBps);
        }
        long best = -1;
        for (Forward f : forwards) {
            best = Math.max(best, f.sender().availableBitrateBps());
        }
        return best < 0 ? maxBps : Math.min(best, maxBps);
    }

    // --- simulcast ---

    /**
     * Tells {@code listener} which layers some subscriber (or tap) needs, each time that changes (on the media loop:
     * hand the news to another thread). Layer 0 is always needed, so a subscriber can always fall back to it.
     */
    public void onNeededLayers(java.util.function.Consumer<boolean[]> listener) {
        neededLayersListener = listener;
    }

    /**
     * The size of the tile {@code subscriber}'s page shows this video in (0x0: not shown, so nothing is forwarded);
     * the layer it gets follows at once. Ignored for a stream without simulcast.
     */
    public void setVideoSize(PeerTransport subscriber, int width, int height) {
        if (layers == null) {
            return;
        }
        PacketSender to = subscriber.packetSender();
        engine.onLoop(() -> {
            long now = System.nanoTime();
            for (Forward f : forwards) {
                if (f.sender() == to && f.simulcast != null) {
                    f.simulcast.tileWidth = width;
                    f.simulcast.tileHeight = height;
                    choose(f, now);
                }
            }
            announceNeededLayers();
        });
    }

    /** Whether packets with this SSRC are this stream's (one of its layers', with simulcast). */
    boolean receives(int ssrc) {
        return layers != null ? layers.layerOf(ssrc) >= 0 : ssrcKnown && this.ssrc == ssrc;
    }

    /** Adds the receive statistics to report on (one per layer with simulcast) to {@code into}; returns the count. */
    int collectStatistics(ReceiveStatistics[] into, int n) {
        if (layers != null) {
            return layers.collectStatistics(into, n);
        }
        if (n < into.length && statistics.hasReceived()) {
            into[n++] = statistics;
        }
        return n;
    }

    /** Loop, once a second: measures the layers and chooses each subscriber's layer anew. */
    void everySecond(long now) {
        if (layers == null || closed) {
            return;
        }
        layers.measure(now);
        for (Forward f : forwards) {
            if (f.simulcast != null) {
                choose(f, now);
            }
        }
        for (TapFeed t : taps) {
            // A tap follows the best layer that flows (by cadence: from the stream's first second on).
            int awaited = t.layers().choose(layers.flowingNow(now));
            if (awaited >= 0) {
                requestLayerKeyframe(awaited, now);
            }
        }
        announceNeededLayers();
    }

    private Forward simulcastForward(PacketSender to, int outgoingSsrc, int payloadType) {
        SwitchingRewriter.Payload payload = track.codec().name().equalsIgnoreCase("VP8")
                ? SwitchingRewriter.Payload.VP8 : SwitchingRewriter.Payload.H264;
        Forward f = forward(to, outgoingSsrc, payloadType, 0,
                new SwitchingRewriter(payload, track.codec().clockRate(), RANDOM.nextInt(0x10000), RANDOM.nextInt()));
        f.simulcast = new SimulcastForward();
        return f;
    }

    /** Loop: picks {@code f}'s layer from what flows, its tile and its subscriber's bandwidth; asks for a keyframe to switch. */
    private void choose(Forward f, long now) {
        SimulcastForward s = f.simulcast;
        long budget = f.sender().availableBitrateBps();
        if (budget >= 0) {
            budget /= Math.max(1, f.sender().videoForwardCount()); // an even share for each video it receives
        }
        int layer = SimulcastLayerSelector.select(layers.widths, layers.heights, layers.bitrates, layers.flowing,
                s.current(), budget, s.tileWidth, s.tileHeight);
        if (budget >= 0 && s.current() != SimulcastLayerSelector.NONE && layer > s.current()) {
            layer = upToWhatWasCarried(f, layer, budget);
        }
        // What it would take were every layer flowing: a layer the publisher was told to pause comes back for it.
        s.wanted = SimulcastLayerSelector.select(layers.widths, layers.heights, layers.bitrates, layers.seen,
                s.current(), budget, s.tileWidth, s.tileHeight);
        if (layer == SimulcastLayerSelector.NONE && s.tileWidth != 0 && !anyFlowing()) {
            return; // nothing flows yet: the first keyframe of any layer starts the stream
        }
        probeForTheTile(f, layer, budget);
        boolean changed = s.retarget(layer);
        if (changed || (layer != SimulcastLayerSelector.NONE && s.current() != layer)) {
            // Asked again each second while waiting: the keyframe of an earlier request may have gone by before
            // this choice, or the request was throttled.
            requestLayerKeyframe(layer, now);
        }
    }

    /**
     * {@code f} would go up to {@code layer}: only as far as its subscriber's path was shown to carry (a probe's
     * verdict, or what it receives now), never below the layer it has. The estimate's headroom over what arrives
     * keeps a layer through a dip, but a layer taken on it alone would overflow a policed link.
     */
    private int upToWhatWasCarried(Forward f, int layer, long budget) {
        SimulcastForward s = f.simulcast;
        long verified = f.sender().verifiedBitrateBps();
        if (verified < 0) {
            return layer;
        }
        verified /= Math.max(1, f.sender().videoForwardCount());
        int carried = SimulcastLayerSelector.select(layers.widths, layers.heights, upCosts(s.current()),
                layers.flowing, s.current(), Math.min(budget, verified), s.tileWidth, s.tileHeight);
        return layers.flowing[s.current()] ? Math.min(layer, Math.max(carried, s.current())) : carried;
    }

    /** Each layer above another costs at least this many times as much (a paused layer's bitrate may be stale). */
    static final int UP_COST_FACTOR = 3;
    /** Scratch for {@link #upCosts} (loop-confined). */
    private long[] upCosts;

    /**
     * What each layer costs to go up to from {@code from}: its measured bitrate, but at least
     * {@link #UP_COST_FACTOR} times the layer below for each step up. A layer the publisher paused keeps the bitrate
     * it had when it paused, maybe while it was still ramping up, and one it just resumed measures low at first:
     * taken on such a figure, it would overflow a path that was shown to carry the layer below only.
     */
    private long[] upCosts(int from) {
        if (upCosts == null || upCosts.length != layers.count()) {
            upCosts = new long[layers.count()];
        }
        for (int i = 0; i < upCosts.length; i++) {
            upCosts[i] = i > from && from >= 0 && layers.bitrates[from] > 0
                    ? Math.max(layers.bitrates[i], upCosts[i - 1] * UP_COST_FACTOR) : layers.bitrates[i];
        }
        return upCosts;
    }

    /**
     * When bandwidth alone holds {@code f} below the layer its tile wants, asks for a probe of its subscriber's
     * path at what that layer needs (falling back to the next layer up after a failed probe): the estimate never
     * runs far ahead of what a subscriber receives, so without one it would stay low after its path got better
     * ({@link BandwidthProbe}). What a layer needs is counted as the selector counts it: every video the
     * subscriber receives gets an even share, so the probe is for that share times their number.
     */
    private void probeForTheTile(Forward f, int layer, long budget) {
        SimulcastForward s = f.simulcast;
        if (budget < 0 || layer == SimulcastLayerSelector.NONE || layer + 1 >= layers.count()
                || layers.bitrates[layer + 1] <= 0) {
            return;
        }
        int forTile = SimulcastLayerSelector.select(layers.widths, layers.heights, layers.bitrates, layers.seen,
                layer, -1, s.tileWidth, s.tileHeight);
        if (forTile > layer) {
            int videos = Math.max(1, f.sender().videoForwardCount());
            long[] costs = upCosts(layer);
            long next = BandwidthProbe.targetFor(costs[layer + 1], videos);
            long top = costs[forTile] > 0 ? BandwidthProbe.targetFor(costs[forTile], videos) : next;
            f.sender().probe(Math.max(top, next), next);
        }
    }

    private boolean anyFlowing() {
        for (boolean b : layers.flowing) {
            if (b) {
                return true;
            }
        }
        return false;
    }

    /** A keyframe of each layer that a subscriber (or tap) gets or waits for (a subscriber lost packets, or joined). */
    private void requestLayerKeyframes(long now, boolean missed) {
        if (!missed) {
            for (TapFeed t : taps) {
                int wanted = t.layers().keyframeLayer(); // the layer the tap records, or waits to switch to
                if (wanted >= 0) {
                    requestLayerKeyframe(wanted, now);
                }
            }
        }
        for (int i = 0; i < layers.count(); i++) {
            for (Forward f : forwards) {
                SimulcastForward s = f.simulcast;
                if (s != null && (s.current() == i || s.target() == i
                        || (s.current() == SimulcastLayerSelector.NONE && s.target() == SimulcastLayerSelector.NONE))) {
                    if (missed) {
                        requestMissedLayerKeyframe(i, now);
                    } else {
                        requestLayerKeyframe(i, now);
                    }
                    break;
                }
            }
        }
    }

    private void requestLayerKeyframe(int layer, long now) {
        if (closed || !publisher.connected() || !layers.tryKeyframeRequest(layer, now)) {
            return; // a throttled request is held back and sent by the NACK tick when its interval ends
        }
        sendLayerPli(layer);
        engine.flush();
    }

    private void requestMissedLayerKeyframe(int layer, long now) {
        if (closed || !publisher.connected() || !layers.tryMissedKeyframeRequest(layer, now)) {
            return;
        }
        sendLayerPli(layer);
        engine.flush();
    }

    private void sendLayerPli(int layer) {
        int n = RtcpWriter.writePli(out.array(), 0, publisher.rtcpSsrc(), layers.ssrc(layer));
        out.setWindow(0, n);
        publisher.sendRtcp(out);
    }

    /**
     * Loop, on the NACK tick that noticed it: a layer stopped (by its cadence, {@link LayerCadence}). Each
     * subscriber (and tap) that gets or awaits a layer that no longer flows chooses again at once, among the layers
     * that do, and that layer is asked for a keyframe: the picture moves on after a keyframe's round trip instead of
     * freezing until the next once-a-second choice.
     */
    private void onLayersStopped(long now) {
        for (Forward f : forwards) {
            SimulcastForward s = f.simulcast;
            if (s != null && (stoppedLayer(s.current()) || stoppedLayer(s.target()))) {
                choose(f, now);
            }
        }
        for (TapFeed t : taps) {
            if (stoppedLayer(t.layers().current()) || stoppedLayer(t.layers().target())) {
                int awaited = t.layers().choose(layers.flowing);
                if (awaited >= 0) {
                    requestLayerKeyframe(awaited, now);
                }
            }
        }
        announceNeededLayers();
    }

    private boolean stoppedLayer(int layer) {
        return layer >= 0 && !layers.flowing[layer];
    }

    /**
     * Loop: the layers some subscriber or tap gets or waits to switch to, the only ones whose losses are worth a
     * NACK (the others reach nobody; asking for them would spend the publisher's uplink for nothing). Filled into
     * a field, once per NACK tick, without allocating.
     */
    private boolean[] watchedLayers() {
        Arrays.fill(watched, false);
        for (Forward f : forwards) {
            SimulcastForward s = f.simulcast;
            if (s != null && !f.paused) {
                if (s.current() == SimulcastLayerSelector.NONE && s.target() == SimulcastLayerSelector.NONE
                        && s.tileWidth != 0) {
                    Arrays.fill(watched, true); // not chosen yet: the first keyframe of any layer starts it
                    return watched;
                }
                mark(watched, s.current());
                mark(watched, s.target());
            }
        }
        for (TapFeed t : taps) {
            mark(watched, t.layers().current());
            mark(watched, t.layers().target());
        }
        return watched;
    }

    private static void mark(boolean[] layers, int layer) {
        if (layer >= 0 && layer < layers.length) {
            layers[layer] = true;
        }
    }

    /** Loop: tells the listener when the set of layers some subscriber (or a tap, which wants the top) needs changed. */
    private void announceNeededLayers() {
        java.util.function.Consumer<boolean[]> listener = neededLayersListener;
        if (listener == null) {
            return;
        }
        boolean[] needed = new boolean[layers.count()];
        needed[0] = true;
        for (int i = 0; i < needed.length; i++) {
            needed[i] |= !layers.seen[i]; // never measured yet (the sender may still be ramping up): not to be paused
        }
        for (TapFeed t : taps) {
            t.layers().markNeeded(needed); // the top, and what it falls back to
        }
        for (Forward f : forwards) {
            SimulcastForward s = f.simulcast;
            if (s != null) {
                // Until a subscriber's layer is chosen from measurements, it may need any of them.
                if (s.wanted == SimulcastLayerSelector.NONE && s.tileWidth != 0) {
                    Arrays.fill(needed, true);
                } else if (s.wanted >= 0) {
                    needed[s.wanted] = true;
                }
                if (s.current() >= 0) {
                    needed[s.current()] = true;
                }
            }
        }
        if (!Arrays.equals(needed, neededLayers)) {
            neededLayers = needed;
            listener.accept(needed.clone());
        }
    }
}
