package dev.parley.recorder.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Vp8DepacketizerTest {
    @TempDir
    static Path dir;
    /** 2 s of 320x240 VP8 from libvpx, a keyframe every 15 frames. */
    static List<byte[]> frames;

    private final FrameLog log = new FrameLog();
    private final Vp8Depacketizer vp8 = new Vp8Depacketizer(log, Depacketizer.DEFAULT_MAX_FRAME);
    private final RtpStream stream = new RtpStream(1, 0);
    private long seq;

    @BeforeAll
    static void makeMedia() throws Exception {
        Ffmpeg.require();
        frames = TestMedia.vp8(dir, 320, 240, 2, 15);
    }

    private void send(int index, boolean dropSecondPacket) {
        List<byte[]> packets = stream.vp8(frames.get(index), index * 3000);
        boolean gap = false;
        for (int i = 0; i < packets.size(); i++) {
            byte[] p = packets.get(i);
            if (dropSecondPacket && i == 1) {
                gap = true;
                seq++;
                continue;
            }
            OrderedPacket o = OrderedPacket.of(RtpStream.payloadOf(p), seq++, index * 3000L, (p[1] & 0x80) != 0,
                    gap);
            gap = false;
            vp8.push(o);
        }
    }

    @Test
    void reassemblesRealFramesByteForByteWithKeyframesAndSize() {
        assertTrue(frames.get(0).length > 2 * RtpStream.MTU_PAYLOAD, "a keyframe spans several packets");
        for (int i = 0; i < frames.size(); i++) {
            send(i, false);
        }
        assertEquals(frames.size(), log.frames.size());
        for (int i = 0; i < frames.size(); i++) {
            assertArrayEquals(frames.get(i), log.frames.get(i).data(), "frame " + i);
            assertEquals(i % 15 == 0, log.frames.get(i).keyframe(), "keyframe flag of frame " + i);
            assertEquals(i * 3000L, log.frames.get(i).timestamp());
        }
        assertEquals(1, log.resolutions.size());
        assertArrayEquals(new int[] {320, 240}, log.resolutions.get(0));
        assertEquals(0, vp8.malformed());
        assertEquals(0, log.keyframeRequests);
    }

    @Test
    void aLostPacketDropsFramesUntilTheNextKeyframeAndAsksForOne() {
        send(0, false);
        send(1, false);
        send(15, true); // the keyframe loses its second packet
        for (int i = 16; i < 30; i++) {
            send(i, false);
        }
        send(30, false);
        assertEquals(3, log.frames.size(), "frames 0, 1 and the next keyframe 30");
        assertArrayEquals(frames.get(30), log.frames.get(2).data());
        assertTrue(log.frames.get(2).keyframe());
        assertTrue(log.keyframeRequests >= 1);
        assertEquals(15, vp8.dropped(), "the broken keyframe and the 14 frames that depend on it");
    }

    @Test
    void videoStartsOnAKeyframe() {
        for (int i = 5; i <= 15; i++) {
            send(i, false);
        }
        assertEquals(1, log.frames.size());
        assertTrue(log.frames.get(0).keyframe());
        assertTrue(log.keyframeRequests > 0, "the sender is asked for the keyframe it is waiting for");
    }

    @Test
    void readsEveryDescriptorExtensionOfRfc7741() {
        // X=1 I L T K, 7-bit PictureID, TL0PICIDX, TID/Y/KEYIDX, then a 10-byte keyframe header of 640x360.
        byte[] payload = ByteVectors.of(0x90, 0xF0, 0x05, 0x11, 0x40, 0x10, 0x02, 0x00, 0x9D, 0x01, 0x2A, 0x80,
                0x02, 0x68, 0x01);
        assertEquals(5, Vp8Depacketizer.descriptorLength(payload, 0, payload.length));
        vp8.push(OrderedPacket.of(payload, 0, 0, true, false));
        assertEquals(1, log.frames.size());
        assertEquals(10, log.frames.get(0).data().length);
        assertArrayEquals(new int[] {640, 360}, log.resolutions.get(0));
        // 15-bit PictureID: one byte more.
        assertEquals(4, Vp8Depacketizer.descriptorLength(ByteVectors.of(0x90, 0x80, 0x81, 0x23, 0), 0, 5));
        // No extension at all.
        assertEquals(1, Vp8Depacketizer.descriptorLength(ByteVectors.of(0x10, 0), 0, 2));
        // Truncated descriptors.
        assertEquals(-1, Vp8Depacketizer.descriptorLength(ByteVectors.of(0x90), 0, 1));
        assertEquals(-1, Vp8Depacketizer.descriptorLength(ByteVectors.of(0x90, 0x80, 0x81), 0, 3));
    }

    @Test
    void aKeyframeWithoutTheStartCodeIsMalformed() {
        byte[] payload = ByteVectors.of(0x10, 0x00, 0x00, 0x00, 0x9D, 0x01, 0x2B, 0x80, 0x02, 0x68, 0x01);
        vp8.push(OrderedPacket.of(payload, 0, 0, true, false));
        assertTrue(log.frames.isEmpty());
        assertEquals(1, vp8.malformed());
        assertFalse(log.keyframeRequests == 0);
    }
}
