package dev.parley.sfu.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.sfu.rtp.RtcpPacket;
import dev.parley.sfu.rtp.RtcpWriter;
import dev.parley.sfu.rtp.RtpHeader;
import dev.parley.sfu.rtp.RtpPacketBuilder;
import dev.parley.sfu.rtp.SenderReport;
import org.junit.jupiter.api.Test;

/**
 * The layer a tap takes of a simulcast stream and the one stream it makes of them, packet by packet: the top first,
 * the highest flowing layer when the top stops, switching on keyframes only, with numbering that runs on.
 */
class TapLayerFollowerTest {
    private static final int[] SSRC = {0x1000, 0x2000, 0x3000};
    private final int[] seq = {100, 30_000, 65_530};
    private final int[] ts = {5, 1_000_000, -20};
    private final int[] pic = {7, 300, 32_760};

    /** One single-packet VP8 frame of {@code layer} (picture ID, keyframe or not), its layer in the last byte. */
    private byte[] frame(int layer, boolean keyframe) {
        byte[] payload = new byte[40];
        payload[0] = (byte) 0x90; // X, S, partition 0
        payload[1] = (byte) 0x80; // picture ID present
        payload[2] = (byte) (0x80 | (pic[layer] >> 8));
        payload[3] = (byte) pic[layer];
        payload[4] = (byte) (keyframe ? 0x00 : 0x01);
        if (keyframe) {
            payload[7] = (byte) 0x9D;
            payload[8] = 0x01;
            payload[9] = 0x2A;
            payload[10] = (byte) (80 << layer);
            payload[12] = (byte) (45 << layer);
        }
        payload[39] = (byte) layer;
        byte[] p = new RtpPacketBuilder().ssrc(SSRC[layer]).payloadType(96).seq(seq[layer]).payload(payload).build();
        RtpHeader.setTimestamp(p, 0, ts[layer]);
        seq[layer] = (seq[layer] + 1) & 0xFFFF;
        ts[layer] += 3000;
        pic[layer] = (pic[layer] + 1) & 0x7FFF;
        return p;
    }

    /** Passes one frame of every layer up to {@code highest} through the follower; returns what the tap got. */
    private int[] step(TapLayerFollower f, int highest, boolean keyframes, long now, java.util.List<int[]> out) {
        int[] got = null;
        for (int layer = 0; layer <= highest; layer++) {
            byte[] p = frame(layer, keyframes);
            int n = f.rewrite(layer, keyframes, p, 0, p.length, now);
            if (n >= 0) {
                byte[] s = f.scratch();
                int payload = RtpHeader.payloadOffset(s, 0);
                got = new int[] {RtpHeader.ssrc(s, 0), RtpHeader.sequenceNumber(s, 0), RtpHeader.timestamp(s, 0),
                        ((s[payload + 2] & 0x7F) << 8) | (s[payload + 3] & 0xFF), s[n - 1]};
                out.add(got);
            }
        }
        return got;
    }

    @Test
    void followsTheTopThenTheMiddleThenTheTopAsOneStream() {
        TapLayerFollower f = new TapLayerFollower(3, SwitchingRewriter.Payload.VP8, 90000);
        java.util.List<int[]> got = new java.util.ArrayList<>();
        long now = 1_000_000_000L;
        assertEquals(2, f.keyframeLayer(), "the tap asks the top for a keyframe first");

        step(f, 2, false, now, got);
        assertTrue(got.isEmpty(), "nothing before the top's keyframe");
        for (int i = 0; i < 30; i++, now += 33_000_000L) {
            step(f, 2, i % 10 == 0, now, got);
        }
        assertEquals(30, got.size());
        assertTrue(got.stream().allMatch(g -> g[4] == 2), "the top only");

        // The top stops; the middle and quarter flow: the tap waits for the middle's keyframe, then takes it.
        assertEquals(1, f.choose(new boolean[] {true, true, false}), "the middle's keyframe is awaited");
        assertEquals(1, f.keyframeLayer());
        boolean[] needed = new boolean[3];
        f.markNeeded(needed);
        assertArrayEquals(new boolean[] {false, true, true}, needed, "the middle it goes to and the top it wants");
        now += 1_500_000_000L;
        for (int i = 0; i < 3; i++, now += 33_000_000L) {
            step(f, 1, false, now, got);
        }
        assertEquals(30, got.size(), "no delta frame of the middle before its keyframe");
        for (int i = 0; i < 30; i++, now += 33_000_000L) {
            step(f, 1, i == 0, now, got);
        }
        assertEquals(1, f.current());
        assertEquals(SimulcastLayerSelector.NONE, f.choose(new boolean[] {true, true, false}), "nothing awaited");
        assertEquals(1, f.keyframeLayer(), "a keyframe request goes to the layer recorded");

        // Nothing flows (camera off): the target stays.
        assertEquals(SimulcastLayerSelector.NONE, f.choose(new boolean[] {false, false, false}));
        // The top is back: the tap returns to it on its keyframe.
        assertEquals(2, f.choose(new boolean[] {true, true, true}));
        for (int i = 0; i < 30; i++, now += 33_000_000L) {
            step(f, 2, i == 5, now, got);
        }
        assertEquals(2, f.current());
        // Each step passes the middle's frame before the top's: the middle's sixth frame still goes in.
        assertEquals(6, got.stream().skip(60).filter(g -> g[4] == 1).count(), "the middle until the top's keyframe");
        assertEquals(25, got.stream().skip(60).filter(g -> g[4] == 2).count());

        int ssrc = got.get(0)[0];
        for (int i = 1; i < got.size(); i++) {
            int[] a = got.get(i - 1);
            int[] b = got.get(i);
            assertEquals(ssrc, b[0], "one SSRC");
            assertEquals((a[1] + 1) & 0xFFFF, b[1], "sequence numbers run on at packet " + i);
            long advance = (b[2] - a[2]) & 0xFFFFFFFFL;
            assertTrue(advance > 0 && advance < 90000 * 3, "timestamps go forward by about the time between: " + advance);
            assertEquals((a[3] + 1) & 0x7FFF, b[3], "picture IDs run on at packet " + i);
        }
    }

    @Test
    void aSenderReportOfTheRecordedLayerIsCarriedIntoTheTapsTimeline() {
        TapLayerFollower f = new TapLayerFollower(2, SwitchingRewriter.Payload.VP8, 90000);
        byte[] sr = new byte[64];
        RtcpWriter.writeSenderReport(sr, 0, SSRC[1], 1L << 40, ts[1], 10, 9000);
        assertFalse(f.rewriteSenderReport(1, sr, 0), "nothing recorded yet: no timeline to map onto");

        byte[] key = frame(1, true);
        int inTs = RtpHeader.timestamp(key, 0);
        assertTrue(f.rewrite(1, true, key, 0, key.length, 0) >= 0);
        int outTs = RtpHeader.timestamp(f.scratch(), 0);
        int outSsrc = RtpHeader.ssrc(f.scratch(), 0);

        RtcpWriter.writeSenderReport(sr, 0, SSRC[1], 1L << 40, inTs + 900, 10, 9000);
        assertTrue(f.rewriteSenderReport(1, sr, 0));
        assertEquals(outTs + 900, SenderReport.rtpTimestamp(f.scratch(), 0), "same offset as the packets");
        assertEquals(1L << 40, SenderReport.ntpTimestamp(f.scratch(), 0));
        assertEquals(outSsrc, RtcpPacket.senderSsrc(f.scratch(), 0));
        assertFalse(f.rewriteSenderReport(0, sr, 0), "another layer's report maps onto nothing sent");
    }

    @Test
    void aStreamWithoutLayersIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new TapLayerFollower(0, SwitchingRewriter.Payload.VP8, 90000));
    }
}
