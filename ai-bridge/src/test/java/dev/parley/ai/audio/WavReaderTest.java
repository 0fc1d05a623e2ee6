package dev.parley.ai.audio;

import static dev.parley.ai.audio.TestSignals.amplitudeAt;
import static dev.parley.ai.audio.TestSignals.tone;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.ai.audio.AudioFileException.Reason;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class WavReaderTest {
    private static final AudioLimits LIMITS = AudioLimits.defaults();

    private static short[] stereo(short[] left, short[] right) {
        short[] out = new short[left.length * 2];
        for (int i = 0; i < left.length; i++) {
            out[2 * i] = left[i];
            out[2 * i + 1] = right[i];
        }
        return out;
    }

    private static Reason refused(byte[] file) {
        return assertThrows(AudioFileException.class, () -> AudioFile.read(file, LIMITS)).reason();
    }

    @Test
    void sixteenBitMonoAt16kHzIsReadAsIs() throws Exception {
        short[] s = TestSignals.speechLike(16_000, 500, 1);
        assertArrayEquals(s, AudioFile.read(TestSignals.wav(s, 16_000, 1, 16), LIMITS).samples());
    }

    @Test
    void everySampleFormatGivesTheSameTone() throws Exception {
        short[] t = tone(1000, 12_000, 16_000, 500);
        for (int bits : new int[] {8, 16, 24, 32}) {
            Pcm16k pcm = WavReader.read(TestSignals.wav(t, 16_000, 1, bits), LIMITS);
            assertEquals(8000, pcm.length());
            assertEquals(12_000, amplitudeAt(pcm.samples(), 0, 8000, 1000, 16_000), 12_000 * 0.02, bits + "-bit");
        }
        Pcm16k f = WavReader.read(TestSignals.wavFloat(t, 16_000, 1), LIMITS);
        assertEquals(12_000, amplitudeAt(f.samples(), 0, 8000, 1000, 16_000), 50);
    }

    @Test
    void stereoAt48kHzIsMixedDownAndResampled() throws Exception {
        short[] left = tone(500, 8000, 48_000, 1000);
        short[] right = tone(2000, 8000, 48_000, 1000);
        Pcm16k pcm = WavReader.read(TestSignals.wav(stereo(left, right), 48_000, 2, 16), LIMITS);
        assertEquals(16_000, pcm.length(), 2);
        short[] s = pcm.samples();
        assertEquals(4000, amplitudeAt(s, 2000, 14_000, 500, 16_000), 100, "each channel at half level");
        assertEquals(4000, amplitudeAt(s, 2000, 14_000, 2000, 16_000), 100);
    }

    @Test
    void at44100HzTheLengthFollowsTheRate() throws Exception {
        Pcm16k pcm = WavReader.read(TestSignals.wav(tone(440, 8000, 44_100, 2000), 44_100, 1, 16), LIMITS);
        assertEquals(32_000, pcm.length(), 2);
    }

    @Test
    void theExtensibleHeaderIsRead() throws Exception {
        short[] t = tone(1000, 12_000, 16_000, 200);
        ByteBuffer b = ByteBuffer.allocate(68 + t.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(60 + t.length * 2).put("WAVE".getBytes(StandardCharsets.US_ASCII));
        b.put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(40).putShort((short) 0xFFFE).putShort((short) 1)
                .putInt(16_000).putInt(32_000).putShort((short) 2).putShort((short) 16)
                .putShort((short) 22).putShort((short) 16).putInt(4)
                .putShort((short) 1).put(new byte[14]); // KSDATAFORMAT_SUBTYPE_PCM
        b.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(t.length * 2);
        for (short v : t) {
            b.putShort(v);
        }
        assertArrayEquals(t, WavReader.read(b.array(), LIMITS).samples());
    }

    @Test
    void unknownChunksBeforeTheDataAreSkipped() throws Exception {
        short[] t = tone(1000, 12_000, 16_000, 200);
        byte[] plain = TestSignals.wav(t, 16_000, 1, 16);
        byte[] list = "LIST\u0003\0\0\0abc\0".getBytes(StandardCharsets.ISO_8859_1); // odd size: padded
        byte[] file = new byte[plain.length + list.length];
        System.arraycopy(plain, 0, file, 0, 36);
        System.arraycopy(list, 0, file, 36, list.length);
        System.arraycopy(plain, 36, file, 36 + list.length, plain.length - 36);
        assertArrayEquals(t, WavReader.read(file, LIMITS).samples());
    }

    @Test
    void badFilesAreRefusedWithTheirReason() {
        byte[] good = TestSignals.wav(tone(1000, 12_000, 16_000, 500), 16_000, 1, 16);
        assertEquals(Reason.NOT_AUDIO, refused("hello, this is not audio".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(Reason.NOT_AUDIO, refused(new byte[0]));
        assertEquals(Reason.TRUNCATED, refused(Arrays.copyOf(good, 30)));
        assertEquals(Reason.TRUNCATED, refused(Arrays.copyOf(good, 1000)));
        byte[] mp3 = good.clone();
        mp3[20] = 0x55;
        AudioFileException e = assertThrows(AudioFileException.class, () -> WavReader.read(mp3, LIMITS));
        assertEquals(Reason.UNSUPPORTED_FORMAT, e.reason());
        assertTrue(e.getMessage().contains("0x55"), e.getMessage());
        byte[] twelveBits = good.clone();
        twelveBits[34] = 12;
        assertEquals(Reason.UNSUPPORTED_FORMAT, refused(twelveBits));
        byte[] oddRate = TestSignals.wav(tone(1000, 12_000, 44_101, 200), 44_101, 1, 16);
        assertEquals(Reason.UNSUPPORTED_FORMAT, refused(oddRate));
        assertEquals(Reason.SILENT, refused(TestSignals.wav(new short[16_000], 16_000, 1, 16)));
        assertEquals(Reason.SILENT, refused(TestSignals.wav(TestSignals.noise(-75, 16_000, 500, 1), 16_000, 1, 16)));
        byte[] noData = Arrays.copyOf(good, 36);
        assertEquals(Reason.TRUNCATED, refused(noData));
    }

    @Test
    void limitsOnBytesAndDurationHold() {
        AudioLimits small = new AudioLimits(4096, Duration.ofSeconds(1), -60);
        byte[] big = TestSignals.wav(tone(1000, 12_000, 16_000, 500), 16_000, 1, 16); // 16 kB
        AudioFileException e = assertThrows(AudioFileException.class, () -> AudioFile.read(big, small));
        assertEquals(Reason.TOO_LARGE, e.reason());
        assertTrue(e.getMessage().contains("4096"), e.getMessage());
        AudioLimits oneSecond = new AudioLimits(1 << 20, Duration.ofSeconds(1), -60);
        byte[] long8k = TestSignals.wav(tone(1000, 12_000, 8000, 3000), 8000, 1, 8); // 24 kB, 3 s
        assertEquals(Reason.TOO_LARGE,
                assertThrows(AudioFileException.class, () -> AudioFile.read(long8k, oneSecond)).reason());
    }
}
