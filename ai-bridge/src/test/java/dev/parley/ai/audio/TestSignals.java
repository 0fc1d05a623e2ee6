package dev.parley.ai.audio;

import io.github.jaredmdobson.concentus.OpusApplication;
import io.github.jaredmdobson.concentus.OpusEncoder;
import io.github.jaredmdobson.concentus.OpusException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/** Known audio for the tests: tones, noise, speech-like bursts, espeak-ng sentences, and WAV/Ogg files of them. */
public final class TestSignals {
    private TestSignals() {}

    public static short[] tone(double hz, double amplitude, int rate, int millis) {
        short[] s = new short[rate * millis / 1000];
        for (int i = 0; i < s.length; i++) {
            s[i] = (short) Math.round(amplitude * Math.sin(2 * Math.PI * hz * i / rate));
        }
        return s;
    }

    /** White noise at about {@code dbfs} RMS. */
    public static short[] noise(double dbfs, int rate, int millis, long seed) {
        Random r = new Random(seed);
        double rms = 32768 * Math.pow(10, dbfs / 20);
        short[] s = new short[rate * millis / 1000];
        for (int i = 0; i < s.length; i++) {
            s[i] = (short) Math.max(-32768, Math.min(32767, Math.round(r.nextGaussian() * rms)));
        }
        return s;
    }

    /**
     * A voiced, speech-like signal: harmonics of a wandering 110-150 Hz pitch with a falling spectrum, shaped into
     * syllables of about 200 ms (4-5 per second) with short dips between them, peaking near -12 dBFS.
     */
    public static short[] speechLike(int rate, int millis, long seed) {
        Random r = new Random(seed);
        short[] s = new short[rate * millis / 1000];
        double phase = 0;
        double syllable = 0.18 + 0.06 * r.nextDouble();
        double syllableStart = 0;
        for (int i = 0; i < s.length; i++) {
            double t = (double) i / rate;
            if (t - syllableStart > syllable) {
                syllableStart = t;
                syllable = 0.15 + 0.1 * r.nextDouble();
            }
            double u = (t - syllableStart) / syllable; // 0..1 inside the syllable
            double envelope = Math.pow(Math.sin(Math.PI * u), 0.6);
            double f0 = 130 + 20 * Math.sin(2 * Math.PI * 0.7 * t);
            phase += 2 * Math.PI * f0 / rate;
            double v = 0;
            for (int k = 1; k <= 20 && k * f0 < rate / 2.0; k++) {
                v += Math.sin(k * phase) / k;
            }
            s[i] = (short) Math.round(8000 * envelope * v / 2);
        }
        return s;
    }

    public static short[] concat(short[]... parts) {
        int n = 0;
        for (short[] p : parts) {
            n += p.length;
        }
        short[] out = new short[n];
        int at = 0;
        for (short[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /** {@code a} with {@code b} added, clipped; as long as {@code a}. */
    public static short[] mix(short[] a, short[] b) {
        short[] out = new short[a.length];
        for (int i = 0; i < a.length; i++) {
            int v = a[i] + (i < b.length ? b[i] : 0);
            out[i] = (short) Math.max(-32768, Math.min(32767, v));
        }
        return out;
    }

    /** Amplitude of the {@code hz} component of {@code s[from..to)} (Goertzel), in the samples' units. */
    public static double amplitudeAt(short[] s, int from, int to, double hz, int rate) {
        double w = 2 * Math.PI * hz / rate;
        double c = 2 * Math.cos(w);
        double s1 = 0;
        double s2 = 0;
        for (int i = from; i < to; i++) {
            double s0 = s[i] + c * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        double power = s1 * s1 + s2 * s2 - c * s1 * s2;
        return 2 * Math.sqrt(Math.max(power, 0)) / (to - from);
    }

    /** A PCM WAV file of integer samples (8, 16, 24 or 32 bits), interleaved channels given as one array. */
    public static byte[] wav(short[] interleaved, int rate, int channels, int bits) {
        int bytes = bits / 8;
        ByteBuffer b = header(1, interleaved.length * bytes, rate, channels, bits);
        for (short v : interleaved) {
            switch (bytes) {
                case 1 -> b.put((byte) ((v >> 8) + 128));
                case 2 -> b.putShort(v);
                case 3 -> {
                    int x = v << 8;
                    b.put((byte) x).put((byte) (x >> 8)).put((byte) (x >> 16));
                }
                default -> b.putInt(v << 16);
            }
        }
        return b.array();
    }

    /** A 32-bit float WAV file. */
    public static byte[] wavFloat(short[] interleaved, int rate, int channels) {
        ByteBuffer b = header(3, interleaved.length * 4, rate, channels, 32);
        for (short v : interleaved) {
            b.putFloat(v / 32768f);
        }
        return b.array();
    }

    private static ByteBuffer header(int format, int dataBytes, int rate, int channels, int bits) {
        ByteBuffer b = ByteBuffer.allocate(44 + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + dataBytes).put("WAVE".getBytes(StandardCharsets.US_ASCII));
        b.put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16).putShort((short) format).putShort((short) channels)
                .putInt(rate).putInt(rate * channels * bits / 8).putShort((short) (channels * bits / 8))
                .putShort((short) bits);
        b.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(dataBytes);
        return b;
    }

    /** Opus packets of 20 ms for 48 kHz mono samples, encoded by concentus (VoIP mode, 32 kbit/s). */
    public static List<byte[]> opusPackets(short[] pcm48) {
        try {
            OpusEncoder encoder = new OpusEncoder(48_000, 1, OpusApplication.OPUS_APPLICATION_VOIP);
            encoder.setBitrate(32_000);
            encoder.setComplexity(2); // fast enough for tests on a busy machine
            List<byte[]> packets = new ArrayList<>();
            byte[] out = new byte[1500];
            for (int at = 0; at + 960 <= pcm48.length; at += 960) {
                int n = encoder.encode(pcm48, at, 960, out, 0, out.length);
                packets.add(Arrays.copyOf(out, n));
            }
            return packets;
        } catch (OpusException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An Ogg/Opus file (RFC 7845) of 48 kHz mono samples: OpusHead, OpusTags, then the packets. */
    public static byte[] oggOpus(short[] pcm48, int preSkip) {
        // As an encoder does: the first preSkip samples are the codec's warm-up, the audio follows them.
        short[] padded = new short[(preSkip + pcm48.length + 959) / 960 * 960];
        System.arraycopy(pcm48, 0, padded, preSkip, pcm48.length);
        List<byte[]> packets = opusPackets(padded);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer head = ByteBuffer.allocate(19).order(ByteOrder.LITTLE_ENDIAN);
        head.put("OpusHead".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 1).putShort((short) preSkip)
                .putInt(48_000).putShort((short) 0).put((byte) 0);
        byte[] tags = ByteBuffer.allocate(8 + 4 + 6 + 4).order(ByteOrder.LITTLE_ENDIAN)
                .put("OpusTags".getBytes(StandardCharsets.US_ASCII)).putInt(6)
                .put("parley".getBytes(StandardCharsets.US_ASCII)).putInt(0).array();
        int serial = 0x5EED;
        int seq = 0;
        page(out, 0x02, 0, serial, seq++, List.of(head.array()));
        page(out, 0x00, 0, serial, seq++, List.of(tags));
        long granule = 0;
        for (int i = 0; i < packets.size(); i += 10) {
            List<byte[]> group = packets.subList(i, Math.min(packets.size(), i + 10));
            granule += group.size() * 960L;
            boolean last = i + 10 >= packets.size();
            page(out, last ? 0x04 : 0x00, last ? pcm48.length + preSkip : granule, serial, seq++, group);
        }
        return out.toByteArray();
    }

    private static void page(ByteArrayOutputStream out, int type, long granule, int serial, int seq, List<byte[]> packets) {
        ByteArrayOutputStream lacing = new ByteArrayOutputStream();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] p : packets) {
            int n = p.length;
            while (n >= 255) {
                lacing.write(255);
                n -= 255;
            }
            lacing.write(n);
            body.writeBytes(p);
        }
        ByteBuffer h = ByteBuffer.allocate(27 + lacing.size() + body.size()).order(ByteOrder.LITTLE_ENDIAN);
        h.put("OggS".getBytes(StandardCharsets.US_ASCII)).put((byte) 0).put((byte) type).putLong(granule)
                .putInt(serial).putInt(seq).putInt(0).put((byte) lacing.size()).put(lacing.toByteArray())
                .put(body.toByteArray());
        byte[] pageBytes = h.array();
        int crc = OggCrc.of(pageBytes, 0, pageBytes.length);
        ByteBuffer.wrap(pageBytes).order(ByteOrder.LITTLE_ENDIAN).putInt(22, crc);
        out.writeBytes(pageBytes);
    }

    /** Resamples with Parley's resampler (including the flush), for building test input at other rates. */
    public static short[] resample(short[] in, int from, int to) {
        Resampler r = new Resampler(from, to);
        short[] out = new short[r.maxOutput(in.length) + r.maxOutput(0)];
        int n = r.process(in, 0, in.length, out, 0);
        n += r.flush(out, n);
        return Arrays.copyOf(out, n);
    }

    /**
     * A sentence spoken by espeak-ng (Debian package espeak-ng), as 16 kHz mono. Fails when espeak-ng is missing:
     * scripts/install-test-tools.sh installs it.
     */
    public static short[] espeak(String sentence, Path dir) {
        try {
            Path wav = Files.createTempFile(dir, "espeak", ".wav");
            Process p = new ProcessBuilder("espeak-ng", "-v", "en-us", "-s", "160", "-w", wav.toString(), sentence)
                    .redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("espeak-ng failed: " + log);
            }
            return WavReader.read(Files.readAllBytes(wav), AudioLimits.defaults()).samples();
        } catch (IOException e) {
            throw new IllegalStateException("espeak-ng is needed for this test (apt-get install espeak-ng, or run"
                    + " scripts/install-test-tools.sh): " + e.getMessage(), e);
        } catch (AudioFileException e) {
            throw new IllegalStateException("espeak-ng wrote an unreadable WAV: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The span from the first to the last sample louder than {@code threshold}: [from, to). */
    public static int[] audibleSpan(short[] s, int threshold) {
        int from = 0;
        while (from < s.length && Math.abs(s[from]) <= threshold) {
            from++;
        }
        int to = s.length;
        while (to > from && Math.abs(s[to - 1]) <= threshold) {
            to--;
        }
        return new int[] {from, to};
    }
}
