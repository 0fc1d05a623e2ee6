package dev.parley.sfu.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.sfu.MediaKind;
import dev.parley.sfu.packet.PacketBuffer;
import dev.parley.sfu.rtp.Remb;
import dev.parley.sfu.sdp.Codec;
import dev.parley.sfu.sdp.PublishedTrack;
import org.junit.jupiter.api.Test;

/** What a publisher is allowed, and the REMB that tells it. */
class RembSenderTest {
    private static final Codec VP8 = new Codec(MediaKind.VIDEO, "VP8", 90000, 1, "");
    private static final Codec OPUS = new Codec(MediaKind.AUDIO, "opus", 48000, 2, "");
    private static final long CAP = 2_500_000;

    private static PublishedStream video(int ssrc) {
        return new PublishedStream(null, null, new PublishedTrack("v", MediaKind.VIDEO, VP8, 96, ssrc, true, 0, 0));
    }

    @Test
    void withoutSubscriberEstimatesAStreamIsAllowedTheCapAndASetValueWithinIt() {
        PublishedStream s = video(0x1234);
        assertEquals(CAP, s.allowedBitrateBps(CAP), "nobody has an estimate yet");
        s.setAllowedBitrate(700_000);
        assertEquals(700_000, s.allowedBitrateBps(CAP));
        s.setAllowedBitrate(9_000_000);
        assertEquals(CAP, s.allowedBitrateBps(CAP), "never above the cap");
        s.setAllowedBitrate(-1);
        assertEquals(CAP, s.allowedBitrateBps(CAP), "back to the default");
        assertThrows(IllegalArgumentException.class, () -> s.setAllowedBitrate(-2));
    }

    @Test
    void theRembNamesTheVideoStreamsAndLeavesRoomForAudio() {
        PublishedStream camera = video(0x1111);
        PublishedStream screen = video(0x2222);
        PublishedStream mic = new PublishedStream(null, null, new PublishedTrack("a", MediaKind.AUDIO, OPUS, 111, 0x3333, true, 0, 0));
        camera.setAllowedBitrate(1_000_000);
        screen.setAllowedBitrate(500_000);
        PacketBuffer out = new PacketBuffer();
        assertTrue(new RembSender().write(out, 7, new PublishedStream[] {mic, camera, screen}, CAP));
        byte[] b = out.array();
        assertTrue(Remb.isValid(b, out.offset(), out.length()));
        long bitrate = Remb.bitrate(b, out.offset());
        long expected = 1_500_000 + RembSender.AUDIO_ALLOWANCE_BPS;
        assertTrue(bitrate <= expected && bitrate > expected - 8, "REMB " + bitrate);
        assertEquals(2, Remb.ssrcCount(b, out.offset()));
        assertEquals(0x1111, Remb.ssrc(b, out.offset(), 0));
        assertEquals(0x2222, Remb.ssrc(b, out.offset(), 1));
        assertFalse(new RembSender().write(out, 7, new PublishedStream[] {mic}, CAP), "no video, no REMB");
    }
}
