package dev.parley.ai.audio;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Feeds the WAV and Ogg/Opus readers random and mutated files: each read must end in 16 kHz audio within the limits
 * or an {@link AudioFileException}, never another exception, a hang or an outsized result. The Ogg mutations fix
 * the page CRCs half of the time, so that the damage reaches the headers and the Opus decoder behind the checksum.
 */
class AudioFileFuzzTest {
    private static final AudioLimits LIMITS = new AudioLimits(64 << 10, Duration.ofSeconds(2), -60);
    private static final long MAX_SAMPLES = 2 * 16_000 + 16;

    private static void readBounded(byte[] file, int[] outcomes) {
        try {
            Pcm16k pcm = AudioFile.read(file, LIMITS);
            assertTrue(pcm.length() > 0 && pcm.length() <= MAX_SAMPLES, "result of " + pcm.length() + " samples");
            outcomes[0]++;
        } catch (AudioFileException e) {
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
            outcomes[1]++;
        }
    }

    private static byte[] mutate(Random r, byte[] valid) {
        byte[] b = valid.clone();
        switch (r.nextInt(6)) {
            case 0 -> {
                for (int i = 0, n = 1 + r.nextInt(4); i < n; i++) {
                    b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
                }
            }
            case 1 -> b = Arrays.copyOf(b, r.nextInt(b.length + 1));
            case 2 -> {
                int at = r.nextInt(Math.min(b.length, 80));
                b[at] = (byte) r.nextInt(256);
            }
            case 3 -> {
                int at = r.nextInt(Math.min(b.length - 4, 80));
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at,
                        r.nextBoolean() ? -1 : r.nextInt(1 << r.nextInt(31)));
            }
            case 4 -> {
                int from = r.nextInt(b.length);
                int len = r.nextInt(Math.min(64, b.length - from) + 1);
                byte[] junk = new byte[len];
                r.nextBytes(junk);
                System.arraycopy(junk, 0, b, from, len);
            }
            default -> {
                byte[] longer = Arrays.copyOf(b, b.length + 1 + r.nextInt(300));
                for (int i = b.length; i < longer.length; i++) {
                    longer[i] = (byte) r.nextInt(256);
                }
                b = longer;
            }
        }
        return b;
    }

    /** Recomputes the CRC of every page that can still be walked. */
    private static void fixCrcs(byte[] b) {
        int at = 0;
        while (at + 27 <= b.length && b[at] == 'O' && b[at + 1] == 'g' && b[at + 2] == 'g' && b[at + 3] == 'S') {
            int segments = b[at + 26] & 0xFF;
            if (at + 27 + segments > b.length) {
                return;
            }
            int length = 27 + segments;
            for (int i = 0; i < segments; i++) {
                length += b[at + 27 + i] & 0xFF;
            }
            if (at + length > b.length) {
                return;
            }
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at + 22, OggCrc.of(b, at, length));
            at += length;
        }
    }

    @Test
    void wavSurvivesHostileFiles() {
        short[] speech = TestSignals.speechLike(16_000, 300, 1);
        short[] speech48 = TestSignals.speechLike(48_000, 100, 2);
        byte[][] valid = {
            TestSignals.wav(speech, 16_000, 1, 16),
            TestSignals.wav(speech48, 48_000, 2, 24),
            TestSignals.wav(speech48, 48_000, 1, 8),
            TestSignals.wavFloat(speech, 16_000, 1),
            TestSignals.wav(TestSignals.speechLike(44_100, 100, 3), 44_100, 1, 32),
        };
        Random r = new Random(0x3A7E_0001L);
        int[] outcomes = new int[2];
        for (int round = 0; round < 1500; round++) {
            byte[] file;
            if (r.nextInt(10) == 0) {
                file = new byte[r.nextInt(200)];
                r.nextBytes(file);
                if (file.length >= 12 && r.nextBoolean()) {
                    System.arraycopy("RIFF".getBytes(), 0, file, 0, 4);
                    System.arraycopy("WAVE".getBytes(), 0, file, 8, 4);
                }
            } else {
                file = mutate(r, valid[r.nextInt(valid.length)]);
            }
            readBounded(file, outcomes);
        }
        assertTrue(outcomes[0] > 50 && outcomes[1] > 50, "both outcomes reached: " + Arrays.toString(outcomes));
    }

    @Test
    void oggOpusSurvivesHostileFiles() {
        byte[][] valid = {
            TestSignals.oggOpus(TestSignals.speechLike(48_000, 300, 4), 312),
            TestSignals.oggOpus(TestSignals.tone(700, 9000, 48_000, 200), 0),
        };
        Random r = new Random(0x0665_0002L);
        int[] outcomes = new int[2];
        for (int round = 0; round < 600; round++) {
            byte[] file = mutate(r, valid[r.nextInt(valid.length)]);
            if (r.nextBoolean()) {
                fixCrcs(file);
            }
            readBounded(file, outcomes);
        }
        assertTrue(outcomes[0] > 20 && outcomes[1] > 20, "both outcomes reached: " + Arrays.toString(outcomes));
    }
}
