package dev.parley.sfu.media;

import dev.parley.sfu.rtp.SenderReport;
import dev.parley.sfu.tap.TappedTrack;

/** One published stream feeding one tap. The stream's packets reach it on the media loop. */
final class TapFeed {
    final MediaTap tap;
    final TappedTrack track;
    final PublishedStream stream;
    /** Loop-confined: the tap was told of the track (so it must be told when it ends). */
    boolean announced;

    TapFeed(MediaTap tap, TappedTrack track, PublishedStream stream) {
        this.tap = tap;
        this.track = track;
        this.stream = stream;
    }

    /** Loop: queues a copy of a decrypted RTP packet. */
    void offerRtp(byte[] buf, int off, int len, long now) {
        tap.offer(this, TapRing.RTP, buf, off, len, now);
    }

    /** Loop: queues a copy of the sender info of a sender report ({@code len} is at least its header length). */
    void offerSenderReport(byte[] buf, int off, long now) {
        tap.offer(this, TapRing.SENDER_REPORT, buf, off, SenderReport.HEADER_LENGTH, now);
    }
}
