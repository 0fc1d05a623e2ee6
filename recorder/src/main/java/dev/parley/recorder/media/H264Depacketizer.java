package dev.parley.recorder.media;

/**
 * H.264 over RTP (RFC 6184, packetization modes 0 and 1): single NAL unit packets, STAP-A aggregates and FU-A
 * fragments are assembled into one access unit per timestamp, ending at the marker bit. The access unit is
 * written with Annex-B start codes or with 4-byte length prefixes (AVCC, what Matroska stores). STAP-B, MTAP
 * and FU-B (interleaved mode) are refused as malformed.
 *
 * <p>An access unit holding an IDR slice or a sequence parameter set counts as a keyframe. As for VP8, video
 * is written from a keyframe on; after a hole or a malformed payload, access units are dropped until the next.
 * The last SPS and PPS seen are kept for the file's codec configuration.
 */
final class H264Depacketizer extends Depacketizer {
    /** How NAL units are delimited in the frames handed to the sink. */
    enum Format { ANNEX_B, AVCC }

    /** Parameter sets larger than this are not kept (real ones are tens of bytes). */
    static final int MAX_PARAMETER_SET = 256;

    private final Format format;
    private final GrowableBytes frame;
    private boolean assembling;
    private long frameTimestamp;
    private long frameArrival;
    private boolean frameIsKey;
    private boolean broken;
    /** Where the prefix of an FU-A NAL unit being reassembled starts, -1 when none is open. */
    private int openFragment = -1;
    private boolean waitingForKeyframe = true;
    private final GrowableBytes sps = new GrowableBytes(MAX_PARAMETER_SET, MAX_PARAMETER_SET);
    private final GrowableBytes pps = new GrowableBytes(MAX_PARAMETER_SET, MAX_PARAMETER_SET);
    private int width;
    private int height;

    H264Depacketizer(FrameSink sink, int maxFrameBytes, Format format) {
        super(sink);
        this.format = format;
        this.frame = new GrowableBytes(64 << 10, maxFrameBytes);
    }

    @Override
    void push(OrderedPacket p) {
        if (p.afterGap && assembling && p.timestamp != frameTimestamp) {
            broken = true; // the access unit in progress lost its end
        }
        if (assembling && p.timestamp != frameTimestamp) {
            // The previous access unit lost no packet but its marker bit was not set.
            finish();
        }
        if (!assembling) {
            assembling = true;
            broken = false;
            frameIsKey = false;
            openFragment = -1;
            frameTimestamp = p.timestamp;
            frameArrival = p.arrivalNanos;
            frame.clear();
        }
        if (p.afterGap) {
            // Without a start-of-frame flag, the lost packets may belong to this access unit too.
            broken = true;
            waitForKeyframe();
        }
        if (!broken && !depacketize(p.array, p.payloadOffset, p.payloadLength)) {
            countMalformed();
            broken = true;
        }
        if (p.marker) {
            finish();
        }
    }

    private boolean depacketize(byte[] b, int off, int len) {
        if (len < 1 || (b[off] & 0x80) != 0) {
            return false;
        }
        int type = b[off] & 0x1F;
        if (type >= 1 && type <= 23) {
            return openFragment < 0 && appendNal(b, off, len);
        }
        if (type == 24) {
            int end = off + len;
            int i = off + 1;
            if (i >= end || openFragment >= 0) {
                return false;
            }
            while (i < end) {
                if (i + 2 > end) {
                    return false;
                }
                int size = (b[i] & 0xFF) << 8 | (b[i + 1] & 0xFF);
                i += 2;
                if (size == 0 || size > end - i || !appendNal(b, i, size)) {
                    return false;
                }
                i += size;
            }
            return true;
        }
        if (type == 28) {
            if (len < 3) {
                return false;
            }
            int header = b[off + 1];
            boolean start = (header & 0x80) != 0;
            boolean end = (header & 0x40) != 0;
            if (start) {
                if (end || openFragment >= 0 || !frame.fits(5 + len - 2)) {
                    return false;
                }
                openFragment = frame.length();
                putPrefix();
                int nal = (b[off] & 0xE0) | (header & 0x1F);
                frame.put(nal);
                noteType(nal & 0x1F);
            } else if (openFragment < 0) {
                return false;
            }
            if (!frame.fits(len - 2)) {
                return false;
            }
            frame.put(b, off + 2, len - 2);
            if (end) {
                if (format == Format.AVCC) {
                    frame.setU32(openFragment, frame.length() - openFragment - 4);
                }
                openFragment = -1;
            }
            return true;
        }
        return false;
    }

    private boolean appendNal(byte[] b, int off, int len) {
        if (!frame.fits(4 + len) || (b[off] & 0x80) != 0) {
            return false;
        }
        int type = b[off] & 0x1F;
        if (type == 7 && len <= MAX_PARAMETER_SET) {
            sps.clear();
            sps.put(b, off, len);
        } else if (type == 8 && len <= MAX_PARAMETER_SET) {
            pps.clear();
            pps.put(b, off, len);
        }
        if (format == Format.AVCC) {
            frame.putU32(len);
        } else {
            putPrefix();
        }
        frame.put(b, off, len);
        noteType(type);
        return true;
    }

    private void putPrefix() {
        // Annex-B start code, or room for the length filled in when the fragment ends.
        frame.putU32(format == Format.ANNEX_B ? 1 : 0);
    }

    private void noteType(int type) {
        if (type == 5 || type == 7) {
            frameIsKey = true;
        }
    }

    private void finish() {
        assembling = false;
        if (broken || openFragment >= 0 || frame.length() == 0) {
            openFragment = -1;
            countDropped();
            waitForKeyframe();
            return;
        }
        if (frameIsKey) {
            waitingForKeyframe = false;
            if (sps.length() > 0) {
                long size = H264Sps.pictureSize(sps.array(), 0, sps.length());
                int w = (int) (size >>> 32);
                int h = (int) size;
                if (size > 0 && (w != width || h != height)) {
                    width = w;
                    height = h;
                    sink.resolution(w, h);
                }
            }
        } else if (waitingForKeyframe) {
            countDropped();
            sink.keyframeNeeded();
            return;
        }
        countFrame();
        sink.frame(frame.array(), 0, frame.length(), frameTimestamp, frameIsKey, frameArrival);
    }

    private void abandon() {
        if (assembling) {
            countDropped();
            assembling = false;
        }
        openFragment = -1;
        frame.clear();
    }

    private void waitForKeyframe() {
        waitingForKeyframe = true;
        sink.keyframeNeeded();
    }

    @Override
    void reset() {
        abandon();
        waitingForKeyframe = true;
    }

    /** The last sequence parameter set seen (without prefix), empty before the first. */
    byte[] sps() {
        return java.util.Arrays.copyOf(sps.array(), sps.length());
    }

    /** The last picture parameter set seen (without prefix), empty before the first. */
    byte[] pps() {
        return java.util.Arrays.copyOf(pps.array(), pps.length());
    }
}
