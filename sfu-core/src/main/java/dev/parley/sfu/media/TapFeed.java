package dev.parley.sfu.media;

import dev.parley.sfu.rtp.SenderReport;
import dev.parley.sfu.tap.TappedTrack;

/**
 * One published stream feeding one tap. The stream's packets reach it on the media loop; it holds the stream only
 * as the narrow {@link TapSource} (keyframe requests, detaching), as a forward holds its stream as a
 * {@link ForwardSource}.
 */
final class TapFeed {
    final MediaTap tap;
    final TappedTrack track;
    /** The stream this feed copies, as the tap reaches it. */
    final TapSource source;
    /** Loop-confined: the tap was told of the track (so it must be told when it ends). */
    boolean announced;
    /** Loop-confined: for a simulcast stream, which layer the tap takes and how it stays one stream; else null. */
    private TapLayerFollower layers;

    TapFeed(MediaTap tap, TappedTrack track, TapSource source) {
        this.tap = tap;
        this.track = track;
        this.source = source;
    }

    /** Loop, once, before the first packet: the stream is simulcast; the tap follows the best layer that flows. */
    void followLayers(TapLayerFollower follower) {
        this.layers = follower;
    }

    /** Loop: the follower of a simulcast stream's layers; null for a single stream. */
    TapLayerFollower layers() {
        return layers;
    }

    /**
     * Loop: queues a copy of a decrypted RTP packet; {@code layer} is its simulcast layer (-1 without simulcast) and
     * {@code keyframe} whether it starts a keyframe. Of simulcast, only the layer the tap follows goes in.
     */
    void offerRtp(int layer, boolean keyframe, byte[] buf, int off, int len, long now) {
        if (layers == null) {
            tap.offer(this, TapRing.RTP, buf, off, len, now);
            return;
        }
        int n = layers.rewrite(layer, keyframe, buf, off, len, now);
        if (n >= 0) {
            tap.offer(this, TapRing.RTP, layers.scratch(), 0, n, now);
        }
    }

    /** Loop: queues a copy of the sender info of a sender report ({@code len} is at least its header length). */
    void offerSenderReport(int layer, byte[] buf, int off, long now) {
        if (layers == null) {
            tap.offer(this, TapRing.SENDER_REPORT, buf, off, SenderReport.HEADER_LENGTH, now);
        } else if (layers.rewriteSenderReport(layer, buf, off)) {
            tap.offer(this, TapRing.SENDER_REPORT, layers.scratch(), 0, SenderReport.HEADER_LENGTH, now);
        }
    }
}
