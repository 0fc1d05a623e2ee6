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

/** A published stream whose offer announced no SSRC learns it from the mid header extension, once. */
class PublishedStreamTest {
    private static final Codec VP8 = new Codec(MediaKind.VIDEO, "VP8", 90000, 1, "");
    private static final int MID_EXTENSION = 3;

    @Test
    void learnsTheSsrcOfTheFirstPacketNamingItsMid() {
        PublishedStream stream = unsignaled("1");
        assertFalse(stream.ssrcKnown());

        assertFalse(learn(stream, packet(0x1111, "10")), "a longer mid is another section");
        assertFalse(learn(stream, packet(0x2222, "")), "an empty mid names nothing");
        assertFalse(learn(stream, new RtpPacketBuilder().ssrc(0x3333).build()), "no extension at all");
        assertFalse(learn(stream, new RtpPacketBuilder().ssrc(0x4444).twoByte(MID_EXTENSION + 1, '1').build()),
                "the mid under another extension id");
        assertFalse(stream.ssrcKnown());

        assertTrue(learn(stream, packet(0xCAFE, "1")));
        assertTrue(stream.ssrcKnown());
        assertEquals(0xCAFE, stream.ssrc());
        assertEquals(0xCAFE, stream.statistics().ssrc(), "receiver reports name the learnt SSRC");

        assertFalse(learn(stream, packet(0xBEEF, "1")), "a second SSRC for the same mid does not take it over");
        assertEquals(0xCAFE, stream.ssrc());
    }

    @Test
    void aSignaledSsrcIsNeverReplaced() {
        PublishedTrack track = new PublishedTrack("1", MediaKind.VIDEO, VP8, 120, 0x1234, true, 0, MID_EXTENSION);
        PublishedStream stream = new PublishedStream(null, null, track);
        assertTrue(stream.ssrcKnown());
        assertFalse(learn(stream, packet(0xCAFE, "1")));
        assertEquals(0x1234, stream.ssrc());
    }

    @Test
    void anRtxPacketNamingTheMidTeachesTheRtxSsrcNotTheMediaOne() {
        PublishedStream stream = new PublishedStream(null, null, new PublishedTrack("1", MediaKind.VIDEO, VP8, 120, 0,
                false, 0, MID_EXTENSION, 124, 0, false, 0, List.of(), 0, 0));
        byte[] probe = new RtpPacketBuilder().ssrc(0xAAAA).payloadType(124).oneByte(MID_EXTENSION, '1').build();
        assertTrue(learn(stream, probe), "browsers' padding probes on the RTX SSRC may come first");
        assertTrue(stream.isRtxSsrc(0xAAAA));
        assertFalse(stream.ssrcKnown(), "the media SSRC is still to learn");
        byte[] media = new RtpPacketBuilder().ssrc(0xBBBB).payloadType(120).oneByte(MID_EXTENSION, '1').build();
        assertTrue(learn(stream, media));
        assertEquals(0xBBBB, stream.ssrc());
        assertFalse(stream.isRtxSsrc(0xBBBB));
        byte[] otherRtx = new RtpPacketBuilder().ssrc(0xCCCC).payloadType(124).oneByte(MID_EXTENSION, '1').build();
        assertFalse(learn(stream, otherRtx), "learnt once");
        assertTrue(stream.isRtxSsrc(0xAAAA));
    }

    @Test
    void aSignaledRtxSsrcIsKnownFromTheStart() {
        PublishedStream stream = new PublishedStream(null, null, new PublishedTrack("1", MediaKind.VIDEO, VP8, 120, 0x1234,
                true, 0, MID_EXTENSION, 124, 0x5678, true, 0, List.of(), 0, 0));
        assertTrue(stream.isRtxSsrc(0x5678));
        assertFalse(stream.isRtxSsrc(0x1234));
        PublishedStream without = new PublishedStream(null, null, new PublishedTrack("1", MediaKind.VIDEO, VP8, 120, 0x1234,
                true, 0, MID_EXTENSION));
        assertFalse(without.isRtxSsrc(0), "no RTX negotiated: no SSRC is the RTX one");
    }

    private static PublishedStream unsignaled(String mid) {
        // Neither the engine nor the publisher is touched while learning the SSRC.
        return new PublishedStream(null, null, new PublishedTrack(mid, MediaKind.VIDEO, VP8, 120, 0, false, 0, MID_EXTENSION));
    }

    private static boolean learn(PublishedStream stream, byte[] packet) {
        return stream.learnSsrcFromMid(packet, 0, packet.length);
    }

    private static byte[] packet(int ssrc, String mid) {
        int[] data = mid.chars().toArray();
        RtpPacketBuilder b = new RtpPacketBuilder().ssrc(ssrc).payload((byte) 0x90, (byte) 0x80);
        if (data.length == 0) {
            return b.twoByte(MID_EXTENSION).build();
        }
        return b.oneByte(MID_EXTENSION, data).build();
    }
}
