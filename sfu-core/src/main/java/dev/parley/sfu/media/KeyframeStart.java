package dev.parley.sfu.media;

import dev.parley.sfu.rtp.RtpHeader;

/**
 * Where the latest keyframe of one stream (or simulcast layer) begins: its first packet's sequence number, its RTP
 * timestamp and when it arrived. A subscriber whose connection comes up just after a keyframe went by is sent that
 * keyframe and what followed from the stream's history ({@link KeyframeCatchUp}) instead of waiting for the
 * publisher's next one. Loop-confined.
 */
final class KeyframeStart {
    private boolean seen;
    private int sequence;
    private long timestamp;
    private long arrivedNanos;

    /**
     * A packet that starts (or belongs to the start of) a keyframe arrived. Packets of one picture share its RTP
     * timestamp, so only the first packet of a picture counts (an H.264 keyframe flags several).
     */
    void onKeyframe(byte[] buf, int off, long now) {
        long ts = RtpHeader.timestamp(buf, off) & 0xFFFFFFFFL;
        if (seen && ts == timestamp) {
            return;
        }
        seen = true;
        sequence = RtpHeader.sequenceNumber(buf, off);
        timestamp = ts;
        arrivedNanos = now;
    }

    /** The first packet's sequence number of a keyframe that arrived at most {@code maxAgeNanos} ago, else -1. */
    int recent(long now, long maxAgeNanos) {
        return seen && now - arrivedNanos <= maxAgeNanos ? sequence : -1;
    }
}
