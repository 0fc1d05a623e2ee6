package dev.parley.sfu.media;

import dev.parley.sfu.rtp.H264Payload;
import dev.parley.sfu.rtp.KeyframeRequestThrottle;
import dev.parley.sfu.rtp.ReceiveStatistics;
import dev.parley.sfu.rtp.RtpHeader;
import dev.parley.sfu.rtp.SendHistory;
import dev.parley.sfu.rtp.Vp8Payload;
import dev.parley.sfu.sdp.PublishedTrack;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The simulcast layers of one published video stream (RFC 8853), lowest first: each layer's SSRC (learnt from the
 * rtp-stream-id extension of its first packets, as a section's SSRC is learnt from its mid), receive statistics,
 * send history for NACKs, keyframe throttle, picture size (read from VP8 keyframes) and measured bitrate.
 *
 * <p>Loop-confined. Nothing here allocates per packet.
 */
final class SimulcastLayers {
    private final byte[][] rids;
    private final byte[] mid;
    private final int ridExtension;
    private final int midExtension;
    private final int rtxPayloadType;
    private final boolean vp8;
    private final int clockRate;
    private final int[] ssrcs;
    private final boolean[] known;
    private final ReceiveStatistics[] statistics;
    private final SendHistory[] histories;
    private final KeyframeRequestThrottle[] keyframes;
    private final KeyframeStart[] keyframeStarts;
    private final boolean[] flowingNow;
    final int[] widths;
    final int[] heights;
    final long[] bitrates;
    /**
     * Which layers flow: written by {@link #measure}, and turned off by {@link #noticeStops} as soon as a layer's
     * {@link LayerCadence} says it stopped.
     */
    final boolean[] flowing;
    /** Which layers have ever been seen with a measured bitrate: the ones a subscriber may ask for. */
    final boolean[] seen;
    private final long[] windowBytes;
    private final LayerCadence[] cadences;
    private long windowStartNanos;

    SimulcastLayers(PublishedTrack track, boolean vp8) {
        int n = track.rids().size();
        this.rids = new byte[n][];
        for (int i = 0; i < n; i++) {
            rids[i] = track.rids().get(i).getBytes(StandardCharsets.US_ASCII);
        }
        this.mid = track.mid().getBytes(StandardCharsets.US_ASCII);
        this.ridExtension = track.ridExtension();
        this.midExtension = track.midExtension();
        this.rtxPayloadType = track.rtxPayloadType();
        this.vp8 = vp8;
        this.clockRate = track.codec().clockRate();
        this.ssrcs = new int[n];
        this.known = new boolean[n];
        this.statistics = new ReceiveStatistics[n];
        this.histories = new SendHistory[n];
        this.keyframes = new KeyframeRequestThrottle[n];
        this.keyframeStarts = new KeyframeStart[n];
        this.flowingNow = new boolean[n];
        for (int i = 0; i < n; i++) {
            statistics[i] = new ReceiveStatistics(0, clockRate);
            histories[i] = new SendHistory();
            keyframes[i] = new KeyframeRequestThrottle();
            keyframeStarts[i] = new KeyframeStart();
        }
        this.widths = new int[n];
        this.heights = new int[n];
        this.bitrates = new long[n];
        this.flowing = new boolean[n];
        this.seen = new boolean[n];
        this.windowBytes = new long[n];
        this.cadences = new LayerCadence[n];
        for (int i = 0; i < n; i++) {
            cadences[i] = new LayerCadence();
        }
    }

    int count() {
        return rids.length;
    }

    /** The layer whose SSRC this is, or -1. */
    int layerOf(int ssrc) {
        for (int i = 0; i < ssrcs.length; i++) {
            if (known[i] && ssrcs[i] == ssrc) {
                return i;
            }
        }
        return -1;
    }

    boolean known(int layer) {
        return known[layer];
    }

    int ssrc(int layer) {
        return ssrcs[layer];
    }

    /**
     * Learns a layer's SSRC from a packet whose rid extension names a layer not yet known (and whose mid extension,
     * when present, names this section); returns that layer, or -1 when the packet names none. A retransmission
     * ({@code rtxPayloadType}) teaches nothing here: its SSRC is the layer's RTX one.
     */
    int learn(byte[] buf, int off, int len) {
        if (rtxPayloadType >= 0 && RtpHeader.payloadType(buf, off) == rtxPayloadType) {
            return -1;
        }
        int layer = layerNamedBy(buf, off, len, ridExtension);
        int ssrc = RtpHeader.ssrc(buf, off);
        if (layer < 0 || known[layer] || layerOf(ssrc) >= 0) {
            return -1;
        }
        ssrcs[layer] = ssrc;
        known[layer] = true;
        // Once per layer, not per packet: receiver reports must carry the learnt SSRC.
        statistics[layer] = new ReceiveStatistics(ssrc, clockRate);
        return layer;
    }

    /**
     * The layer whose rid the packet's {@code extension} element carries (rtp-stream-id, or repaired-rtp-stream-id
     * for a retransmission), when its mid extension, if present, names this section; -1 otherwise.
     */
    int layerNamedBy(byte[] buf, int off, int len, int extension) {
        if (extension == 0) {
            return -1;
        }
        if (midExtension > 0) {
            long m = RtpHeader.findExtension(buf, off, len, midExtension);
            if (m >= 0 && !Arrays.equals(buf, RtpHeader.extensionOffset(m),
                    RtpHeader.extensionOffset(m) + RtpHeader.extensionLength(m), mid, 0, mid.length)) {
                return -1;
            }
        }
        long found = RtpHeader.findExtension(buf, off, len, extension);
        if (found < 0) {
            return -1;
        }
        int from = RtpHeader.extensionOffset(found);
        int to = from + RtpHeader.extensionLength(found);
        for (int i = 0; i < rids.length; i++) {
            if (Arrays.equals(buf, from, to, rids[i], 0, rids[i].length)) {
                return i;
            }
        }
        return -1;
    }

    ReceiveStatistics statistics(int layer) {
        return statistics[layer];
    }

    SendHistory history(int layer) {
        return histories[layer];
    }

    /** Whether a keyframe request for {@code layer} may go to the publisher now (one per throttle interval). */
    boolean tryKeyframeRequest(int layer, long now) {
        return known[layer] && keyframes[layer].tryForward(now);
    }

    /** Where {@code layer}'s latest keyframe starts in its history ({@link KeyframeStart}). */
    KeyframeStart keyframeStart(int layer) {
        return keyframeStarts[layer];
    }

    /**
     * Whether a subscriber whose connection just came up, having asked when it began, needs {@code layer}'s
     * publisher asked again ({@link KeyframeRequestThrottle#tryForwardMissed}).
     */
    boolean tryMissedKeyframeRequest(int layer, long now) {
        return known[layer] && keyframes[layer].tryForwardMissed(now);
    }

    /**
     * Whether a keyframe request for {@code layer} that {@link #tryKeyframeRequest} held back is due now (its
     * throttle interval ended): a layer switch asked for right after a subscriber's own request must not wait for
     * the next once-a-second choice.
     */
    boolean takeDeferredKeyframeRequest(int layer, long now) {
        return known[layer] && keyframes[layer].takeDeferred(now);
    }

    /** Counts a packet of {@code layer}; returns whether it starts a keyframe (whose size, for VP8, is noted). */
    boolean onPacket(int layer, byte[] buf, int off, int len, long now) {
        windowBytes[layer] += len;
        int p = RtpHeader.payloadOffset(buf, off);
        int n = RtpHeader.payloadLength(buf, off, len);
        if (n <= 0) {
            return false; // padding: no media, so not a sign that the layer flows
        }
        cadences[layer].onMedia(RtpHeader.timestamp(buf, off), now);
        if (!vp8) {
            if (!H264Payload.isKeyframe(buf, p, n)) {
                return false;
            }
            keyframeStarts[layer].onKeyframe(buf, off, now);
            keyframes[layer].onKeyframe();
            return true;
        }
        if (!Vp8Payload.isKeyframe(buf, p, n)) {
            return false;
        }
        keyframeStarts[layer].onKeyframe(buf, off, now);
        keyframes[layer].onKeyframe();
        int w = Vp8Payload.keyframeWidth(buf, p, n);
        if (w > 0) {
            widths[layer] = w;
            heights[layer] = Vp8Payload.keyframeHeight(buf, p, n);
        }
        return true;
    }

    /**
     * Turns off {@link #flowing} for each layer that flowed and has stopped by its cadence; returns whether any did.
     * Called on the NACK timer (every few tens of ms), so a subscriber of a layer the publisher stopped is moved to
     * one that flows within a few frames rather than at the next measuring window.
     */
    boolean noticeStops(long now) {
        boolean any = false;
        for (int i = 0; i < flowing.length; i++) {
            if (flowing[i] && cadences[i].stopped(now)) {
                flowing[i] = false;
                any = true;
            }
        }
        return any;
    }

    /** Closes a measuring window: each layer's bitrate over it, and which layers flow. */
    void measure(long now) {
        long elapsed = now - windowStartNanos;
        if (windowStartNanos == 0 || elapsed <= 0) {
            windowStartNanos = now;
            return;
        }
        for (int i = 0; i < rids.length; i++) {
            flowing[i] = known[i] && !cadences[i].stopped(now);
            if (windowBytes[i] > 0) {
                long bps = windowBytes[i] * 8 * 1_000_000_000L / elapsed;
                // Half the last window, half the history: a single keyframe-heavy window does not swing the choice.
                bitrates[i] = bitrates[i] == 0 ? bps : (bitrates[i] + bps) / 2;
                seen[i] = true;
            }
            windowBytes[i] = 0;
        }
        windowStartNanos = now;
    }

    /**
     * Which layers flow now by their cadence (known, and not stopped), whatever the measuring window: what a tap
     * follows. {@link #flowing} is the same as of the last {@link #measure}, and all false until its second call.
     * The array is reused.
     */
    boolean[] flowingNow(long now) {
        for (int i = 0; i < rids.length; i++) {
            flowingNow[i] = known[i] && !cadences[i].stopped(now);
        }
        return flowingNow;
    }

    /** Writes the learnt layers' statistics into {@code into} from {@code n}; returns the new count. */
    int collectStatistics(ReceiveStatistics[] into, int n) {
        for (int i = 0; i < rids.length && n < into.length; i++) {
            if (known[i] && statistics[i].hasReceived()) {
                into[n++] = statistics[i];
            }
        }
        return n;
    }
}
