package dev.parley.recorder.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class OpusDepacketizerTest {
    private final FrameLog log = new FrameLog();
    private final OpusDepacketizer opus = new OpusDepacketizer(log);

    @Test
    void everyPayloadIsOneFrameAndALossIsJustAMissingFrame() {
        byte[] a = ByteVectors.of(0x78, 1, 2, 3);
        byte[] b = ByteVectors.of(0x78, 4, 5);
        opus.push(OrderedPacket.of(a, 0, 960, false, false));
        opus.push(OrderedPacket.of(b, 2, 2880, false, true));
        assertEquals(2, log.frames.size());
        assertArrayEquals(a, log.frames.get(0).data());
        assertArrayEquals(b, log.frames.get(1).data());
        assertEquals(2880, log.frames.get(1).timestamp());
        assertEquals(0, log.keyframeRequests, "audio never waits for a keyframe");
    }

    @Test
    void anEmptyPayloadIsMalformed() {
        opus.push(OrderedPacket.of(new byte[0], 0, 0, false, false));
        assertEquals(0, log.frames.size());
        assertEquals(1, opus.malformed());
    }
}
