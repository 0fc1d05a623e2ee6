package dev.parley.ai.audio;

import static dev.parley.ai.audio.TestSignals.amplitudeAt;
import static dev.parley.ai.audio.TestSignals.tone;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.ai.audio.AudioFileException.Reason;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class OggOpusReaderTest {
    private static final AudioLimits LIMITS = AudioLimits.defaults();

    private static Reason refused(byte[] file) {
        return assertThrows(AudioFileException.class, () -> AudioFile.read(file, LIMITS)).reason();
    }

    @Test
    void aToneComesBackAt16kHzWithItsLengthAndLevel() throws Exception {
        byte[] file = TestSignals.oggOpus(tone(440, 10_000, 48_000, 1000), 312);
        Pcm16k pcm = AudioFile.read(file, LIMITS);
        // The granule position of the last page trims the end; pre-skip trims the start.
        assertEquals(16_000, pcm.length(), 2);
        double a = amplitudeAt(pcm.samples(), 3000, 13_000, 440, 16_000);
        assertEquals(10_000, a, 1500, "the tone survives the codec");
    }

    @Test
    void speechRoundTripsCloseToTheOriginal() throws Exception {
        short[] speech = TestSignals.speechLike(48_000, 1200, 3);
        Pcm16k pcm = OggOpusReader.read(TestSignals.oggOpus(speech, 0), LIMITS);
        assertEquals(19_200, pcm.length(), 2);
        short[] original = TestSignals.resample(speech, 48_000, 16_000);
        double energyIn = 0;
        double energyOut = 0;
        for (int i = 0; i < original.length; i++) {
            energyIn += (double) original[i] * original[i];
            energyOut += (double) pcm.sample(i) * pcm.sample(i);
        }
        assertEquals(1.0, energyOut / energyIn, 0.3, "the decoded level matches the original");
    }

    @Test
    void badFilesAreRefusedWithTheirReason() {
        byte[] good = TestSignals.oggOpus(tone(440, 10_000, 48_000, 500), 312);
        assertEquals(Reason.NOT_AUDIO, refused("OggX and then some".getBytes()));
        assertEquals(Reason.TRUNCATED, refused(Arrays.copyOf(good, 20)));
        assertEquals(Reason.TRUNCATED, refused(Arrays.copyOf(good, good.length - 50)));
        byte[] badCrc = good.clone();
        badCrc[good.length - 10] ^= 0x40;
        AudioFileException crc = assertThrows(AudioFileException.class, () -> OggOpusReader.read(badCrc, LIMITS));
        assertEquals(Reason.MALFORMED, crc.reason());
        assertTrue(crc.getMessage().contains("CRC"), crc.getMessage());
        assertEquals(Reason.SILENT, refused(TestSignals.oggOpus(new short[48_000], 0)));
    }

    @Test
    void vorbisAndMultichannelMappingsAreNotSupported() {
        byte[] good = TestSignals.oggOpus(tone(440, 10_000, 48_000, 200), 0);
        byte[] vorbis = good.clone();
        // The first packet starts after the 27-byte header and one lacing byte.
        byte[] head = {1, 'v', 'o', 'r', 'b', 'i', 's', 0};
        System.arraycopy(head, 0, vorbis, 28, head.length);
        fixCrc(vorbis, 0);
        AudioFileException e = assertThrows(AudioFileException.class, () -> OggOpusReader.read(vorbis, LIMITS));
        assertEquals(Reason.UNSUPPORTED_FORMAT, e.reason());
        assertTrue(e.getMessage().contains("Vorbis"), e.getMessage());
        byte[] surround = good.clone();
        surround[28 + 9] = 6; // channels
        surround[28 + 18] = 1; // mapping family 1
        fixCrc(surround, 0);
        assertEquals(Reason.UNSUPPORTED_FORMAT, refused(surround));
    }

    @Test
    void theDurationLimitHolds() {
        AudioLimits oneSecond = new AudioLimits(1 << 20, Duration.ofSeconds(1), -60);
        byte[] file = TestSignals.oggOpus(tone(440, 10_000, 48_000, 3000), 0);
        assertEquals(Reason.TOO_LARGE,
                assertThrows(AudioFileException.class, () -> AudioFile.read(file, oneSecond)).reason());
    }

    /** Recomputes the CRC of the page at {@code at}. */
    static void fixCrc(byte[] file, int at) {
        int segments = file[at + 26] & 0xFF;
        int length = 27 + segments;
        for (int i = 0; i < segments; i++) {
            length += file[at + 27 + i] & 0xFF;
        }
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putInt(at + 22, OggCrc.of(file, at, length));
    }
}
