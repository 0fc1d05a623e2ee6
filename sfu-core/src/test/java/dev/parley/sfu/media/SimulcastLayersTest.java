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

/** Each layer's SSRC is learnt from the rid of its first packets; a layer's keyframes tell its picture size. */
class SimulcastLayersTest {
    private static final Codec VP8 = new Codec(MediaKind.VIDEO, "VP8", 90000, 1, "");
    private static final int MID = 4;
    private static final int RID = 10;

    private static PublishedStream stream() {
        return new PublishedStream(null, null,
                new PublishedTrack("1", MediaKind.VIDEO, VP8, 96, 0, false, 0, MID, -1, 0, false, 0,
                        List.of("q", "h", "f"), RID, 0));
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
}
