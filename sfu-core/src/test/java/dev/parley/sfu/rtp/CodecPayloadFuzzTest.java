package dev.parley.sfu.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Feeds the VP8 and H.264 keyframe checks random and mutated payloads: they must never throw, never read past
 * the payload (the exact-length copy would throw) and answer the same wherever the payload sits in its array.
 */
class CodecPayloadFuzzTest {
    private static final int ROUNDS = 100_000;
    private static final byte[] VP8_KEY = RtpPacketBuilder.bytes(0x90, 0xF0, 0x81, 0x23, 0x05, 0x40,
            0xB0, 0x2F, 0x01, 0x9D, 0x01, 0x2A, 0x80, 0x02, 0xE0, 0x01);
    private static final byte[] H264_STAP = RtpPacketBuilder.bytes(0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x02, 0x68,
            0xCE, 0x00, 0x02, 0x65, 0x88);
    private static final byte[] H264_FU = RtpPacketBuilder.bytes(0x7C, 0x85, 0x88, 0x84);

    @Test
    void vp8KeyframeCheckSurvivesHostilePayloads() {
        Mutator m = new Mutator(0x5EED_0005L);
        int keyframes = 0;
        for (int round = 0; round < ROUNDS; round++) {
            byte[] p = round % 2 == 0 ? m.randomBytes(24) : m.mutate(VP8_KEY);
            boolean exact = Vp8Payload.isKeyframe(p, 0, p.length);
            int offset = 1 + m.random.nextInt(8);
            assertEquals(exact, Vp8Payload.isKeyframe(m.embed(p, offset), offset, p.length),
                    () -> Arrays.toString(p));
            keyframes += exact ? 1 : 0;
        }
        assertTrue(keyframes > ROUNDS / 20, "mutations keep some keyframes, got " + keyframes);
    }

    @Test
    void h264KeyframeCheckSurvivesHostilePayloads() {
        Mutator m = new Mutator(0x5EED_0006L);
        int keyframes = 0;
        for (int round = 0; round < ROUNDS; round++) {
            byte[] p = switch (round % 3) {
                case 0 -> m.randomBytes(24);
                case 1 -> m.mutate(H264_STAP);
                default -> m.mutate(H264_FU);
            };
            boolean exact = H264Payload.isKeyframe(p, 0, p.length);
            int offset = 1 + m.random.nextInt(8);
            assertEquals(exact, H264Payload.isKeyframe(m.embed(p, offset), offset, p.length),
                    () -> Arrays.toString(p));
            keyframes += exact ? 1 : 0;
        }
        assertTrue(keyframes > ROUNDS / 20, "mutations keep some keyframes, got " + keyframes);
    }
}
