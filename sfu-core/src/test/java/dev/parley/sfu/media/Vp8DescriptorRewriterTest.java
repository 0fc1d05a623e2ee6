package dev.parley.sfu.media;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.parley.sfu.rtp.RtpHeader;
import org.junit.jupiter.api.Test;

/**
 * Across simulcast layer switches the subscriber sees one stream: picture IDs and TL0PICIDX go up by one per
 * picture, sequence numbers by one per packet, timestamps never go back, through the wrap-around of each field.
 */
class Vp8DescriptorRewriterTest {
    private static final long FRAME_NANOS = 33_000_000L;

    /** A VP8 payload descriptor with a 15-bit (or 7-bit) picture ID and TL0PICIDX. */
    static byte[] descriptor(int pictureId, int tl0, boolean wide) {
        byte[] d = wide ? new byte[] {(byte) 0x90, (byte) 0xC0, (byte) (0x80 | (pictureId >> 8)), (byte) pictureId, (byte) tl0}
                : new byte[] {(byte) 0x90, (byte) 0xC0, (byte) (pictureId & 0x7F), (byte) tl0};
        return d;
    }

    static int pictureId(byte[] d) {
        return (d[2] & 0x80) != 0 ? ((d[2] & 0x7F) << 8) | (d[3] & 0xFF) : d[2] & 0x7F;
    }

    static int tl0(byte[] d) {
        return d[(d[2] & 0x80) != 0 ? 4 : 3] & 0xFF;
    }

    @Test
    void pictureIdAndTl0ContinueAcrossSegmentsAndWrap() {
        for (boolean wide : new boolean[] {true, false}) {
            int mask = wide ? 0x7FFF : 0x7F;
            Vp8DescriptorRewriter r = new Vp8DescriptorRewriter();
            // Three sources with unrelated numbering, two of them about to wrap.
            int[] picIds = {mask - 3, 17, mask - 40};
            int[] tl0s = {250, 3, 128};
            int lastPic = -1;
            int lastTl0 = -1;
            int source = 0;
            for (int frame = 0; frame < 600; frame++) {
                if (frame % 7 == 0) {
                    source = (source + 1 + frame % 2) % 3;
                    r.beginSegment();
                }
                byte[] d = descriptor(picIds[source], tl0s[source], wide);
                r.rewrite(d, 0, d.length, true);
                if (lastPic >= 0) {
                    assertEquals((lastPic + 1) & mask, pictureId(d), "frame " + frame);
                    assertEquals((lastTl0 + 1) & 0xFF, tl0(d), "frame " + frame);
                }
                lastPic = pictureId(d);
                lastTl0 = tl0(d);
                // Every source moves on, sent or not (they are encoded all the time).
                for (int s = 0; s < 3; s++) {
                    picIds[s] = (picIds[s] + 1) & mask;
                    tl0s[s] = (tl0s[s] + 1) & 0xFF;
                }
            }
        }
    }

    @Test
    void aRetransmissionIsRewrittenAsSentAndMovesNothing() {
        Vp8DescriptorRewriter r = new Vp8DescriptorRewriter();
        byte[] first = descriptor(100, 10, true);
        r.rewrite(first, 0, first.length, true);
        r.beginSegment();
        byte[] switched = descriptor(5000, 200, true);
        r.rewrite(switched, 0, switched.length, true);
        assertEquals(101, pictureId(switched));
        byte[] again = descriptor(5000, 200, true);
        r.rewrite(again, 0, again.length, false);
        assertEquals(101, pictureId(again));
        assertEquals(11, tl0(again));
        byte[] next = descriptor(5001, 201, true);
        r.rewrite(next, 0, next.length, true);
        assertEquals(102, pictureId(next));
        assertEquals(12, tl0(next));
    }

    /**
     * Three layers (each its own SSRC, sequence, timestamp and picture numbering, some about to wrap) through one
     * subscriber's forward: the subscriber gets one stream, switching at keyframes of the target layer only.
     */
    @Test
    void layerSwitchesGiveOneContinuousStream() {
        SwitchingRewriter rewriter = new SwitchingRewriter(SwitchingRewriter.Payload.VP8, 90000, 0xFFF8, 0xFFFFFF00);
        SimulcastForward forward = new SimulcastForward();
        int[] seq = {0xFFF0, 100, 0xFFFE};
        int[] ts = {0xFFFFF000, 5, 0x7FFFFFF0};
        int[] pic = {0x7FFA, 300, 0x7FF0};
        int[] tl0 = {0xFE, 0, 0x80};
        int lastSeq = -1;
        long lastTs = 0;
        int lastPic = -1;
        int lastTl0 = -1;
        int delivered = 0;
        int switches = 0;
        int lastLayer = -1;
        long now = 1_000_000_000L;
        int[] plan = {0, 2, 1, 0, 2, 2, 1, 0};
        for (int frame = 0; frame < 400; frame++) {
            now += FRAME_NANOS;
            if (frame % 50 == 10) {
                forward.retarget(plan[(frame / 50) % plan.length]);
            }
            for (int layer = 0; layer < 3; layer++) {
                boolean keyframe = frame % 30 == layer * 5; // layers' keyframes at different times
                for (int packet = 0; packet < 1 + layer; packet++) {
                    byte[] p = packet(seq[layer], ts[layer], pic[layer], tl0[layer], keyframe && packet == 0);
                    seq[layer] = (seq[layer] + 1) & 0xFFFF;
                    boolean isKey = keyframe && packet == 0;
                    if (!forward.accept(layer, isKey, rewriter)) {
                        continue;
                    }
                    if (!rewriter.rewrite(p, 0, p.length, now)) {
                        continue;
                    }
                    if (layer != lastLayer) {
                        assertEquals(true, isKey, "a switch happens on a keyframe of the new layer only");
                        switches++;
                        lastLayer = layer;
                    }
                    delivered++;
                    int outSeq = RtpHeader.sequenceNumber(p, 0);
                    long outTs = RtpHeader.timestamp(p, 0) & 0xFFFFFFFFL;
                    byte[] d = java.util.Arrays.copyOfRange(p, 12, 17);
                    if (lastSeq >= 0) {
                        assertEquals((lastSeq + 1) & 0xFFFF, outSeq, "sequence at frame " + frame);
                        long advance = (outTs - lastTs) & 0xFFFFFFFFL;
                        assertEquals(true, advance < 0x80000000L, "timestamp goes back at frame " + frame);
                        if (advance > 0) {
                            assertEquals((lastPic + 1) & 0x7FFF, pictureId(d), "picture id at frame " + frame);
                            assertEquals((lastTl0 + 1) & 0xFF, tl0(d), "tl0picidx at frame " + frame);
                        } else {
                            assertEquals(lastPic, pictureId(d), "a picture's packets share its id");
                        }
                    }
                    lastSeq = outSeq;
                    lastTs = outTs;
                    lastPic = pictureId(d);
                    lastTl0 = tl0(d);
                }
            }
            for (int layer = 0; layer < 3; layer++) {
                ts[layer] += 3000;
                pic[layer] = (pic[layer] + 1) & 0x7FFF;
                tl0[layer] = (tl0[layer] + 1) & 0xFF;
            }
        }
        assertEquals(true, switches >= 6, "the plan switches layers; saw " + switches);
        assertEquals(true, delivered > 400, "delivered " + delivered);
    }

    private static byte[] packet(int seq, int ts, int pictureId, int tl0, boolean keyframe) {
        byte[] p = new byte[12 + 5 + 10];
        p[0] = (byte) 0x80;
        p[1] = 96;
        RtpHeader.setSequenceNumber(p, 0, seq);
        RtpHeader.setTimestamp(p, 0, ts);
        System.arraycopy(descriptor(pictureId, tl0, true), 0, p, 12, 5);
        p[17] = (byte) (keyframe ? 0x00 : 0x01);
        p[20] = (byte) 0x9D;
        p[21] = 0x01;
        p[22] = 0x2A;
        return p;
    }
}
