package dev.parley.sfu.rtp;

import java.util.Arrays;
import java.util.Random;

/**
 * Seeded sources of hostile input for the parser fuzz tests: random bytes, and valid packets with flipped bits,
 * truncations, extensions, and 16-bit fields (length fields among them) overwritten with lies.
 */
final class Mutator {
    final Random random;

    Mutator(long seed) {
        random = new Random(seed);
    }

    byte[] randomBytes(int maxLength) {
        byte[] b = new byte[random.nextInt(maxLength + 1)];
        random.nextBytes(b);
        return b;
    }

    /** One to three random mutations of a copy of {@code valid}. */
    byte[] mutate(byte[] valid) {
        byte[] b = valid.clone();
        int rounds = 1 + random.nextInt(3);
        for (int r = 0; r < rounds; r++) {
            b = switch (random.nextInt(5)) {
                case 0 -> flipBit(b);
                case 1 -> Arrays.copyOf(b, b.length == 0 ? 0 : random.nextInt(b.length + 1));
                case 2 -> Arrays.copyOf(b, b.length + 1 + random.nextInt(8));
                case 3 -> lie16(b);
                default -> setByte(b);
            };
        }
        return b;
    }

    private byte[] flipBit(byte[] b) {
        if (b.length > 0) {
            b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
        }
        return b;
    }

    /** Overwrites an aligned 16-bit field (where RTP and RTCP keep their length fields) with a boundary value. */
    private byte[] lie16(byte[] b) {
        if (b.length >= 2) {
            int at = random.nextInt(b.length / 2) * 2;
            int v = switch (random.nextInt(4)) {
                case 0 -> 0;
                case 1 -> 0xFFFF;
                case 2 -> random.nextInt(16);
                default -> random.nextInt(0x10000);
            };
            b[at] = (byte) (v >>> 8);
            b[at + 1] = (byte) v;
        }
        return b;
    }

    private byte[] setByte(byte[] b) {
        if (b.length > 0) {
            int v = switch (random.nextInt(3)) {
                case 0 -> 0;
                case 1 -> 0xFF;
                default -> random.nextInt(256);
            };
            b[random.nextInt(b.length)] = (byte) v;
        }
        return b;
    }

    /** {@code data} placed at a random offset of a larger array filled with garbage. */
    byte[] embed(byte[] data, int offset) {
        byte[] big = new byte[offset + data.length + random.nextInt(16)];
        random.nextBytes(big);
        System.arraycopy(data, 0, big, offset, data.length);
        return big;
    }
}
