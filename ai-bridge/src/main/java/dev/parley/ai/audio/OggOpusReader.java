package dev.parley.ai.audio;

import dev.parley.ai.audio.AudioFileException.Reason;
import io.github.jaredmdobson.concentus.OpusDecoder;
import io.github.jaredmdobson.concentus.OpusException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads an Ogg/Opus file (RFC 7845) to 16 kHz mono: Ogg pages (CRC checked), the OpusHead and OpusTags headers,
 * then the audio packets of the first logical stream decoded at 48 kHz with concentus, pre-skip and end trimming
 * applied. Mono and stereo streams (channel mapping family 0) are read; other mappings, other codecs in Ogg
 * (Vorbis, FLAC) and broken files are refused with an {@link AudioFileException}.
 */
public final class OggOpusReader {
    private static final int RATE = 48_000;
    private static final int MAX_FRAME = 5760; // 120 ms at 48 kHz, the longest Opus packet

    private OggOpusReader() {}

    /** Decodes {@code file}, within {@code limits}. */
    public static Pcm16k read(byte[] file, AudioLimits limits) throws AudioFileException {
        if (file.length > limits.maxBytes()) {
            throw new AudioFileException(Reason.TOO_LARGE, "the file has " + file.length
                    + " bytes, more than the limit of " + limits.maxBytes());
        }
        if (file.length < 4 || !(file[0] == 'O' && file[1] == 'g' && file[2] == 'g' && file[3] == 'S')) {
            throw new AudioFileException(Reason.NOT_AUDIO, "not an Ogg file: it does not start with OggS");
        }
        return new Decoding(file, limits).run();
    }

    private static final class Decoding {
        private final byte[] file;
        private final AudioLimits limits;
        private int pos;
        private int serial;
        private boolean serialKnown;
        private final ByteArrayOutputStream packet = new ByteArrayOutputStream();
        private int packets;
        private OpusDecoder decoder;
        private int preSkip;
        private double gain = 1;
        private MonoCollector out;
        private long decoded; // 48 kHz samples decoded, pre-skip included
        private long lastGranule = -1;
        private final short[] pcm = new short[MAX_FRAME];

        Decoding(byte[] file, AudioLimits limits) {
            this.file = file;
            this.limits = limits;
        }

        Pcm16k run() throws AudioFileException {
            boolean eos = false;
            while (pos < file.length && !eos) {
                eos = page();
            }
            if (packet.size() > 0) {
                throw new AudioFileException(Reason.TRUNCATED, "the Ogg file ends inside a packet");
            }
            if (packets == 0) {
                throw new AudioFileException(Reason.TRUNCATED, "the Ogg file ends before its OpusHead header");
            }
            if (packets == 1) {
                throw new AudioFileException(Reason.TRUNCATED, "the Ogg file ends before its OpusTags header");
            }
            if (out == null) {
                throw new AudioFileException(Reason.SILENT, "the Ogg/Opus file holds no audio packets");
            }
            trimEnd(); // a stream without its end-of-stream page: keep what was decoded
            return out.finish();
        }

        /** Reads one page at {@code pos}; returns whether it ended the stream. */
        private boolean page() throws AudioFileException {
            if (pos + 27 > file.length) {
                throw new AudioFileException(Reason.TRUNCATED, "the Ogg file ends inside a page header");
            }
            if (!(file[pos] == 'O' && file[pos + 1] == 'g' && file[pos + 2] == 'g' && file[pos + 3] == 'S')) {
                throw new AudioFileException(Reason.MALFORMED, "no Ogg page starts at byte " + pos);
            }
            if (file[pos + 4] != 0) {
                throw new AudioFileException(Reason.UNSUPPORTED_FORMAT, "Ogg version " + (file[pos + 4] & 0xFF)
                        + " is not supported");
            }
            int type = file[pos + 5] & 0xFF;
            long granule = WavReader.u64(file, pos + 6);
            int pageSerial = (int) WavReader.u32(file, pos + 14);
            int segments = file[pos + 26] & 0xFF;
            int header = 27 + segments;
            if (pos + header > file.length) {
                throw new AudioFileException(Reason.TRUNCATED, "the Ogg file ends inside a page header");
            }
            int bodyLength = 0;
            for (int i = 0; i < segments; i++) {
                bodyLength += file[pos + 27 + i] & 0xFF;
            }
            if (pos + header + bodyLength > file.length) {
                throw new AudioFileException(Reason.TRUNCATED, "the Ogg file ends inside a page");
            }
            if (OggCrc.of(file, pos, header + bodyLength) != (int) WavReader.u32(file, pos + 22)) {
                throw new AudioFileException(Reason.MALFORMED, "the Ogg page at byte " + pos + " fails its CRC check");
            }
            int start = pos;
            pos += header + bodyLength;
            if (!serialKnown) {
                if ((type & 0x02) == 0) {
                    throw new AudioFileException(Reason.MALFORMED, "the first Ogg page does not begin a stream");
                }
                serial = pageSerial;
                serialKnown = true;
            } else if (pageSerial != serial) {
                return false; // another logical stream multiplexed in: not ours
            }
            if ((type & 0x01) == 0 && packet.size() > 0) {
                throw new AudioFileException(Reason.MALFORMED, "an Ogg packet is cut off by a page that does not continue it");
            }
            int body = start + header;
            for (int i = 0; i < segments; i++) {
                int lacing = file[start + 27 + i] & 0xFF;
                if (packet.size() + lacing > limits.maxBytes()) {
                    throw new AudioFileException(Reason.TOO_LARGE, "an Ogg packet is larger than the file limit");
                }
                packet.write(file, body, lacing);
                body += lacing;
                if (lacing < 255) {
                    packet(packet.toByteArray());
                    packet.reset();
                }
            }
            if (granule != -1L && packets > 2) {
                lastGranule = granule;
            }
            if ((type & 0x04) != 0) {
                if (packet.size() > 0) {
                    throw new AudioFileException(Reason.TRUNCATED, "the Ogg stream ends inside a packet");
                }
                trimEnd();
                return true;
            }
            return false;
        }

        private void packet(byte[] p) throws AudioFileException {
            packets++;
            if (packets == 1) {
                head(p);
            } else if (packets == 2) {
                if (p.length < 8 || !new String(p, 0, 8, StandardCharsets.ISO_8859_1).equals("OpusTags")) {
                    throw new AudioFileException(Reason.MALFORMED, "the second Ogg packet is not OpusTags");
                }
            } else {
                audio(p);
            }
        }

        private void head(byte[] p) throws AudioFileException {
            if (p.length >= 7 && new String(p, 0, 7, StandardCharsets.ISO_8859_1).equals("\u0001vorbis")) {
                throw new AudioFileException(Reason.UNSUPPORTED_FORMAT, "Ogg Vorbis is not supported: use Ogg/Opus or WAV");
            }
            if (p.length < 8 || !new String(p, 0, 8, StandardCharsets.ISO_8859_1).equals("OpusHead")) {
                throw new AudioFileException(Reason.UNSUPPORTED_FORMAT, "the Ogg file does not carry Opus (no OpusHead): use Ogg/Opus or WAV");
            }
            if (p.length < 19) {
                throw new AudioFileException(Reason.MALFORMED, "the OpusHead header has " + p.length + " bytes, fewer than 19");
            }
            int version = p[8] & 0xFF;
            if (version >> 4 != 0) {
                throw new AudioFileException(Reason.UNSUPPORTED_FORMAT, "OpusHead version " + version + " is not supported");
            }
            int channels = p[9] & 0xFF;
            preSkip = WavReader.u16(p, 10);
            int outputGain = (short) WavReader.u16(p, 16);
            int family = p[18] & 0xFF;
            if (family != 0 || channels < 1 || channels > 2) {
                throw new AudioFileException(Reason.UNSUPPORTED_FORMAT, "Opus channel mapping family " + family
                        + " with " + channels + " channels is not supported: use mono or stereo");
            }
            gain = Math.pow(10, outputGain / (20.0 * 256));
            try {
                decoder = new OpusDecoder(RATE, 1); // a stereo stream decodes to mono directly
            } catch (OpusException e) {
                throw new AudioFileException(Reason.MALFORMED, "the Opus decoder refused the stream: " + e.getMessage());
            }
        }

        private void audio(byte[] p) throws AudioFileException {
            if (out == null) {
                out = new MonoCollector(RATE, limits);
            }
            int n;
            try {
                n = decoder.decode(p, 0, p.length, pcm, 0, MAX_FRAME, false);
            } catch (OpusException | RuntimeException e) {
                throw new AudioFileException(Reason.MALFORMED, "Opus packet " + (packets - 2)
                        + " does not decode: " + e.getMessage());
            }
            if (n < 0) {
                throw new AudioFileException(Reason.MALFORMED, "Opus packet " + (packets - 2) + " does not decode");
            }
            if ((decoded + n) / 3 > limits.maxSamples16k()) {
                throw new AudioFileException(Reason.TOO_LARGE, "the audio is longer than the limit of "
                        + limits.maxDuration().toSeconds() + " s");
            }
            for (int i = 0; i < n; i++) {
                long index = decoded + i;
                if (index >= preSkip) {
                    int v = gain == 1 ? pcm[i] : (int) Math.round(pcm[i] * gain);
                    pending(v);
                }
            }
            decoded += n;
        }

        // Samples are held back by one page's worth so that the final page's granule can trim the end.
        private short[] held = new short[RATE];
        private int heldCount;

        private void pending(int v) throws AudioFileException {
            if (heldCount == held.length) {
                int half = held.length / 2;
                for (int i = 0; i < half; i++) {
                    out.add(held[i]);
                }
                System.arraycopy(held, half, held, 0, heldCount - half);
                heldCount -= half;
            }
            held[heldCount++] = (short) Math.max(-32768, Math.min(32767, v));
        }

        private void trimEnd() throws AudioFileException {
            if (out == null) {
                return;
            }
            long emittedBefore = decoded - Math.min(decoded, preSkip) - heldCount;
            long total = lastGranule >= 0 ? Math.max(0, lastGranule - preSkip) : decoded - preSkip;
            long keep = Math.max(0, Math.min(heldCount, total - emittedBefore));
            for (int i = 0; i < keep; i++) {
                out.add(held[i]);
            }
            heldCount = 0;
        }
    }
}
