package dev.parley.sfu.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Hostile payloads (random bytes, valid descriptors with bits flipped and cut short, windows that lie about their
 * bounds) never make the rewriter throw, and it never writes outside the payload it is given.
 */
class Vp8DescriptorRewriterFuzzTest {
    private static final int ROUNDS = 100_000;

    @Test
    void garbageNeverThrowsNorWritesOutsideThePayload() {
        Random random = new Random(0x5EED_0107L);
        Vp8DescriptorRewriter r = new Vp8DescriptorRewriter();
        for (int round = 0; round < ROUNDS; round++) {
            byte[] payload;
            if (round % 2 == 0) {
                payload = new byte[random.nextInt(12)];
                random.nextBytes(payload);
            } else {
                payload = Vp8DescriptorRewriterTest.descriptor(random.nextInt(0x8000), random.nextInt(256), random.nextBoolean());
                payload[random.nextInt(payload.length)] ^= (byte) (1 << random.nextInt(8));
                payload = Arrays.copyOf(payload, random.nextInt(payload.length + 1));
            }
            int offset = random.nextInt(6);
            byte[] buf = new byte[offset + payload.length + random.nextInt(4)];
            random.nextBytes(buf);
            System.arraycopy(payload, 0, buf, offset, payload.length);
            byte[] before = buf.clone();
            if (round % 5 == 0) {
                r.beginSegment();
            }
            r.rewrite(buf, offset, payload.length, random.nextBoolean());
            assertArrayEquals(Arrays.copyOf(before, offset), Arrays.copyOf(buf, offset));
            assertArrayEquals(Arrays.copyOfRange(before, offset + payload.length, before.length),
                    Arrays.copyOfRange(buf, offset + payload.length, buf.length));
            // Windows that claim more than the array holds, or start before it, are left alone.
            r.rewrite(buf, offset, buf.length - offset + 1 + random.nextInt(4), true);
            r.rewrite(buf, -1 - random.nextInt(4), 3, true);
        }
    }
}
