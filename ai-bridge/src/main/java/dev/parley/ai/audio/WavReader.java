package dev.parley.ai.audio;

import dev.parley.ai.audio.AudioFileException.Reason;

/**
 * Reads a RIFF/WAVE file to 16 kHz mono: integer PCM of 8, 16, 24 or 32 bits and IEEE float of 32 or 64 bits
 * (plain or in a WAVE_FORMAT_EXTENSIBLE header), 1 to 8 channels (averaged), 8 kHz to 192 kHz. Everything else is
 * refused with an {@link AudioFileException} that says what was found.
 */
public final class WavReader {
    private static final int PCM = 1;
    private static final int FLOAT = 3;
    private static final int EXTENSIBLE = 0xFFFE;

    private WavReader() {}

    /** Decodes {@code file}, within {@code limits}. */
    public static Pcm16k read(byte[] file, AudioLimits limits) throws AudioFileException {
        if (file.length > limits.maxBytes()) {
            throw new AudioFileException(Reason.TOO_LARGE, "the file has " + file.length
                    + " bytes, more than the limit of " + limits.maxBytes());
        }
        if (file.length < 12) {
            throw file.length >= 4 && tag(file, 0).equals("RIFF")
                    ? new AudioFileException(Reason.TRUNCATED, "the WAV file ends inside its RIFF header")
                    : new AudioFileException(Reason.NOT_AUDIO, "not a WAV file: it does not start with RIFF....WAVE");
        }
        String riff = tag(file, 0);
        if (riff.equals("RIFX") || riff.equals("RF64")) {
            throw new AudioFileException(Reason.UNSUPPORTED_FORMAT, "a " + riff + " file is not supported: use a plain RIFF WAV");
        }
        if (!riff.equals("RIFF") || !tag(file, 8).equals("WAVE")) {
            throw new AudioFileException(Reason.NOT_AUDIO, "not a WAV file: it does not start with RIFF....WAVE");
        }
        int pos = 12;
        Format format = null;
        while (true) {
            if (pos + 8 > file.length) {
                throw new AudioFileException(Reason.TRUNCATED, format == null
                        ? "the WAV file ends before its fmt chunk" : "the WAV file ends before its data chunk");
            }
            String id = tag(file, pos);
            long size = u32(file, pos + 4);
            int body = pos + 8;
            if (id.equals("fmt ")) {
                if (size < 16) {
                    throw new AudioFileException(Reason.MALFORMED, "the WAV fmt chunk has " + size + " bytes, fewer than 16");
                }
                if (body + size > file.length) {
                    throw new AudioFileException(Reason.TRUNCATED, "the WAV file ends inside its fmt chunk");
                }
                format = format(file, body, (int) size);
            } else if (id.equals("data")) {
                if (format == null) {
                    throw new AudioFileException(Reason.MALFORMED, "the WAV data chunk comes before the fmt chunk");
                }
                long available = file.length - body;
                long length = size;
                if (size > available) {
                    if (size != 0xFFFF_FFFFL) {
                        throw new AudioFileException(Reason.TRUNCATED, "the WAV data chunk declares " + size
                                + " bytes but the file holds " + available);
                    }
                    length = available; // streamed WAV: the length was never filled in
                }
                return decode(file, body, (int) length, format, limits);
            }
            long next = body + size + (size & 1);
            if (next > file.length) {
                throw new AudioFileException(Reason.TRUNCATED, "the WAV file ends inside its " + printable(id) + " chunk");
            }
            pos = (int) next;
        }
    }

    private record Format(int encoding, int channels, int rate, int bits, int blockAlign) {}

    private static Format format(byte[] b, int at, int size) throws AudioFileException {
        int tag = u16(b, at);
        int channels = u16(b, at + 2);
        long rate = u32(b, at + 4);
        int blockAlign = u16(b, at + 12);
        int bits = u16(b, at + 14);
        int encoding = tag;
        if (tag == EXTENSIBLE) {
            if (size < 40) {
                throw new AudioFileException(Reason.MALFORMED, "the WAV extensible fmt chunk has " + size + " bytes, fewer than 40");
            }
            encoding = u16(b, at + 24); // the sub-format GUID starts with the format tag
        }
        if (encoding != PCM && encoding != FLOAT) {
            throw new AudioFileException(Reason.UNSUPPORTED_FORMAT, "WAV format tag 0x" + Integer.toHexString(encoding)
                    + " is not supported: use uncompressed PCM (8/16/24/32-bit) or 32/64-bit float");
        }
        if (encoding == PCM && bits != 8 && bits != 16 && bits != 24 && bits != 32) {
            throw new AudioFileException(Reason.UNSUPPORTED_FORMAT, bits + "-bit PCM is not supported: use 8, 16, 24 or 32 bits");
        }
        if (encoding == FLOAT && bits != 32 && bits != 64) {
            throw new AudioFileException(Reason.UNSUPPORTED_FORMAT, bits + "-bit float is not supported: use 32 or 64 bits");
        }
        if (channels < 1 || channels > 8) {
            throw new AudioFileException(Reason.UNSUPPORTED_FORMAT, channels + " channels are not supported: use 1 to 8");
        }
        if (rate < 8000 || rate > 192_000) {
            throw new AudioFileException(Reason.UNSUPPORTED_FORMAT, "a sample rate of " + rate
                    + " Hz is not supported: use 8000 to 192000 Hz");
        }
        if (blockAlign != channels * bits / 8) {
            throw new AudioFileException(Reason.MALFORMED, "the WAV block alignment " + blockAlign + " does not match "
                    + channels + " channels of " + bits + " bits");
        }
        return new Format(encoding, channels, (int) rate, bits, blockAlign);
    }

    private static Pcm16k decode(byte[] b, int at, int length, Format f, AudioLimits limits) throws AudioFileException {
        long frames = length / f.blockAlign();
        if (frames * 1000 / f.rate() > limits.maxDuration().toMillis()) {
            throw new AudioFileException(Reason.TOO_LARGE, "the audio lasts " + frames / f.rate()
                    + " s, longer than the limit of " + limits.maxDuration().toSeconds() + " s");
        }
        MonoCollector out = new MonoCollector(f.rate(), limits);
        int bytes = f.bits() / 8;
        int p = at;
        for (long i = 0; i < frames; i++) {
            double sum = 0;
            for (int c = 0; c < f.channels(); c++) {
                sum += sample(b, p, f.encoding(), bytes);
                p += bytes;
            }
            double mono = sum / f.channels();
            out.add((short) Math.max(-32768, Math.min(32767, Math.round(mono * 32768.0))));
        }
        return out.finish();
    }

    /** One sample as a fraction of full scale, -1 to 1 (float samples clipped). */
    private static double sample(byte[] b, int p, int encoding, int bytes) {
        if (encoding == FLOAT) {
            double v = bytes == 4 ? Float.intBitsToFloat((int) u32(b, p)) : Double.longBitsToDouble(u64(b, p));
            return Double.isNaN(v) ? 0 : Math.max(-1, Math.min(1, v));
        }
        return switch (bytes) {
            case 1 -> ((b[p] & 0xFF) - 128) / 128.0;
            case 2 -> (short) u16(b, p) / 32768.0;
            case 3 -> (((b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8 | b[p + 2] << 16)) / 8388608.0;
            default -> (int) u32(b, p) / 2147483648.0;
        };
    }

    private static String tag(byte[] b, int at) {
        return new String(b, at, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static String printable(String id) {
        return id.chars().allMatch(c -> c >= 0x20 && c < 0x7F) ? "'" + id + "'" : "unnamed";
    }

    static int u16(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8;
    }

    static long u32(byte[] b, int at) {
        return (u16(b, at) | (long) u16(b, at + 2) << 16) & 0xFFFF_FFFFL;
    }

    static long u64(byte[] b, int at) {
        return u32(b, at) | u32(b, at + 4) << 32;
    }
}
