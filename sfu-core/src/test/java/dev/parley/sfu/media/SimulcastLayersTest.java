package dev.parley.sfu.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.sfu.MediaKind;
import dev.parley.sfu.rtp.RtpPacketBuilder;
import dev.parley.sfu.sdp.Codec;
import dev.parley.sfu.sdp.PublishedTrack;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each layer's SSRC is learnt from the rid of its first packets; a layer's keyframes tell its picture size; a layer
 * that stops is noticed from its cadence, between two measuring windows.
 */
class SimulcastLayersTest {
    private static final Codec VP8 = new Codec(MediaKind.VIDEO, "VP8", 90000, 1, "");
    private static final int MID = 4;
    private static final int RID = 10;

    /** A VP8 camera of three layers q, h, f whose SSRCs are learnt from their rids. */
    private static PublishedTrack track() {
        return new PublishedTrack("1", MediaKind.VIDEO, VP8, 96, 0, false, 0, MID, -1, 0, false, 0,
                List.of("q", "h", "f"), RID, 0);
    }

    private static PublishedStream stream() {
        return new PublishedStream(null, null, track());
    }

    private static byte[] withRid(int ssrc, String rid) {
        return new RtpPacketBuilder().ssrc(ssrc).payload((byte) 0x90, (byte) 0x80).oneByte(RID, rid.chars().toArray()).build();
    }

    @Test
    void learnsEachLayersSsrcFromItsRid() {
        PublishedStream s = stream();
        byte[] f = withRid(0xF, "f");
        assertTrue(s.learnSsrcFromMid(f, 0, f.length));
        assertTrue(s.receives(0xF));
        assertFalse(s.receives(0xA));
        byte[] unknown = withRid(0xB, "x");
        assertFalse(s.learnSsrcFromMid(unknown, 0, unknown.length), "a rid the offer did not list");
        byte[] again = withRid(0xC, "f");
        assertFalse(s.learnSsrcFromMid(again, 0, again.length), "a layer's SSRC is learnt once");
        byte[] q = withRid(0xA, "q");
        assertTrue(s.learnSsrcFromMid(q, 0, q.length));
        assertTrue(s.receives(0xA));
        byte[] otherMid = new RtpPacketBuilder().ssrc(0xD).payload((byte) 0x90, (byte) 0x80)
                .oneByte(MID, '2').build();
        assertFalse(s.learnSsrcFromMid(otherMid, 0, otherMid.length), "no rid: not a layer");
    }

    @Test
    void whatFlowsNowIsKnownInTheStreamsFirstSecondWhereTheMeasuredFlagsAreNot() {
        SimulcastLayers layers = new SimulcastLayers(track(), true);
        byte[] q = withRid(0xA, "q");
        byte[] h = withRid(0xB, "h");
        assertEquals(0, layers.learn(q, 0, q.length));
        assertEquals(1, layers.learn(h, 0, h.length));
        long ms = 1_000_000L;
        long t0 = 5_000 * ms;
        layers.measure(t0); // the first window opens as the camera comes up, q and h first (as Chrome starts them)
        long t = t0;
        for (int frame = 0; frame < 10; frame++) {
            t = t0 + frame * 33 * ms;
            layers.onPacket(0, frameOf(0xA, frame), 0, frameOf(0xA, frame).length, t);
            layers.onPacket(1, frameOf(0xB, frame), 0, frameOf(0xB, frame).length, t);
        }
        boolean[] now = layers.flowingNow(t);
        assertTrue(now[0] && now[1], "q and h flow: a recording starting now takes h at once");
        assertFalse(now[2], "f has not sent yet");
        assertFalse(layers.flowing[0] || layers.flowing[1], "the measured flags wait for the window to close");
        assertFalse(layers.flowingNow(t + 2_000 * ms)[1], "a layer silent for two seconds does not flow");
    }

    @Test
    void aLayerThatStopsIsNoticedWithinAFewOfItsFramesNotAtTheNextWindow() {
        SimulcastLayers layers = new SimulcastLayers(track(), true);
        byte[] q = withRid(0xA, "q");
        byte[] f = withRid(0xF, "f");
        assertEquals(0, layers.learn(q, 0, q.length));
        assertEquals(2, layers.learn(f, 0, f.length));
        long ms = 1_000_000L;
        long t0 = 5_000 * ms;
        layers.measure(t0);
        // q and f at 30 fps for a second, then f stops (the publisher paused it) while q goes on.
        long t = t0;
        for (int frame = 0; frame < 30; frame++) {
            t = t0 + frame * 33 * ms;
            layers.onPacket(0, frameOf(0xA, frame), 0, frameOf(0xA, frame).length, t);
            layers.onPacket(2, frameOf(0xF, frame), 0, frameOf(0xF, frame).length, t);
        }
        layers.measure(t0 + 1_000 * ms);
        assertTrue(layers.flowing[0] && layers.flowing[2], "both flow");
        long fStopped = t;
        long noticedAt = -1;
        for (int frame = 30; frame < 60; frame++) {
            t = t0 + frame * 33 * ms;
            layers.onPacket(0, frameOf(0xA, frame), 0, frameOf(0xA, frame).length, t);
            // Asked on every q frame here (the NACK timer asks every 20 ms).
            if (layers.noticeStops(t)) {
                assertEquals(-1, noticedAt, "a stop is reported once");
                noticedAt = t;
            }
        }
        assertTrue(noticedAt - fStopped >= LayerCadence.MIN_STOP_NANOS && noticedAt - fStopped < 340 * ms,
                "noticed at the first check 300 ms after f's last packet: +" + (noticedAt - fStopped) / ms + " ms");
        assertFalse(layers.flowing[2], "f stopped");
        assertTrue(layers.flowing[0], "q still flows");
        assertFalse(layers.noticeStops(t + ms), "a stop is reported once");
        layers.measure(t0 + 2_000 * ms);
        assertFalse(layers.flowing[2], "the measuring window agrees");
        assertTrue(layers.flowing[0]);
    }

    /** A packet of frame {@code frame} (its RTP timestamp 3000 apart per frame, as 30 fps at 90 kHz). */
    private static byte[] frameOf(int ssrc, int frame) {
        return new RtpPacketBuilder().ssrc(ssrc).seq(frame).timestamp(frame * 3000)
                .payload((byte) 0x90, (byte) 0x80, (byte) 0, (byte) 1).build();
    }
}
