package dev.parley.recorder.media;

/**
 * VP8 over RTP (RFC 7741). Strips the payload descriptor (with its optional PictureID, TL0PICIDX and
 * TID/KEYIDX extensions), assembles the packets of one timestamp from the start of partition 0 up to the
 * marker bit, and reads the keyframe flag and picture size from the VP8 frame header (RFC 6386 section 9.1).
 *
 * <p>Video is only written from a keyframe on: at the start, after any hole in the sequence (a lost packet may
 * have carried part of a reference frame) and after a malformed payload, frames are dropped until a keyframe
 * arrives, and the sink is told a keyframe is needed.
 */
final class Vp8Depacketizer extends Depacketizer {
    private final GrowableBytes frame;
    private boolean assembling;
    private long frameTimestamp;
    private long frameArrival;
    private boolean waitingForKeyframe = true;
    private int width;
    private int height;

    Vp8Depacketizer(FrameSink sink, int maxFrameBytes) {
        super(sink);
        this.frame = new GrowableBytes(64 << 10, maxFrameBytes);
    }

    @Override
    void push(OrderedPacket p) {
        if (p.afterGap) {
            abandon();
            waitForKeyframe();
        }
        int descriptor = descriptorLength(p.array, p.payloadOffset, p.payloadLength);
        if (descriptor < 0 || descriptor >= p.payloadLength) {
            countMalformed();
            abandon();
            waitForKeyframe();
            return;
        }
        byte first = p.array[p.payloadOffset];
        boolean startOfFrame = (first & 0x10) != 0 && (first & 0x07) == 0;
        if (startOfFrame) {
            if (assembling) {
                // The previous frame lost no packet (no gap was reported) but its marker bit was not set.
                finish();
            }
            assembling = true;
            frameTimestamp = p.timestamp;
            frameArrival = p.arrivalNanos;
            frame.clear();
        } else if (!assembling || p.timestamp != frameTimestamp) {
            // The middle of a frame whose beginning is not here (dropped already, or a sender that lies).
            if (assembling) {
                countMalformed();
                abandon();
            }
            waitForKeyframe();
            return;
        }
        int payload = p.payloadLength - descriptor;
        if (!frame.fits(payload)) {
            abandon();
            waitForKeyframe();
            return;
        }
        frame.put(p.array, p.payloadOffset + descriptor, payload);
        if (p.marker) {
            finish();
        }
    }

    @Override
    void reset() {
        abandon();
        waitingForKeyframe = true;
    }

    private void finish() {
        assembling = false;
        byte[] d = frame.array();
        int len = frame.length();
        if (len < 3) {
            countMalformed();
            countDropped();
            waitForKeyframe();
            return;
        }
        boolean keyframe = (d[0] & 0x01) == 0;
        if (keyframe) {
            if (len < 10 || (d[3] & 0xFF) != 0x9D || (d[4] & 0xFF) != 0x01 || (d[5] & 0xFF) != 0x2A) {
                countMalformed();
                countDropped();
                waitForKeyframe();
                return;
            }
            int w = ((d[6] & 0xFF) | (d[7] & 0xFF) << 8) & 0x3FFF;
            int h = ((d[8] & 0xFF) | (d[9] & 0xFF) << 8) & 0x3FFF;
            if (w == 0 || h == 0) {
                countMalformed();
                countDropped();
                waitForKeyframe();
                return;
            }
            waitingForKeyframe = false;
            if (w != width || h != height) {
                width = w;
                height = h;
                sink.resolution(w, h);
            }
        } else if (waitingForKeyframe) {
            countDropped();
            sink.keyframeNeeded();
            return;
        }
        countFrame();
        sink.frame(d, 0, len, frameTimestamp, keyframe, frameArrival);
    }

    private void abandon() {
        if (assembling) {
            countDropped();
            assembling = false;
        }
        frame.clear();
    }

    private void waitForKeyframe() {
        if (!waitingForKeyframe) {
            waitingForKeyframe = true;
        }
        sink.keyframeNeeded();
    }

    /**
     * Length of the RFC 7741 section 4.2 payload descriptor at {@code off}, or -1 when it does not fit in
     * {@code len} bytes.
     */
    static int descriptorLength(byte[] buf, int off, int len) {
        if (len < 1) {
            return -1;
        }
        int end = off + len;
        int i = off + 1;
        if ((buf[off] & 0x80) != 0) {
            if (i >= end) {
                return -1;
            }
            int x = buf[i++];
            if ((x & 0x80) != 0) {
                if (i >= end) {
                    return -1;
                }
                i += (buf[i] & 0x80) != 0 ? 2 : 1;
            }
            if ((x & 0x40) != 0) {
                i++;
            }
            if ((x & 0x30) != 0) {
                i++;
            }
        }
        return i > end ? -1 : i - off;
    }

    /** Width of the last keyframe, 0 before the first. */
    int width() {
        return width;
    }

    /** Height of the last keyframe, 0 before the first. */
    int height() {
        return height;
    }
}
