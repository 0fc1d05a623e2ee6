package dev.parley.control;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The control plane's own stand-in for the AI bridge behind {@code /api/v1/ai/*}: it really reads the upload's
 * headers (RIFF/WAVE with 16-bit PCM, or Ogg with an OpusHead), refuses what the bridge would refuse with the same
 * reasons, and answers with what it measured (the audio's length). {@link #sent} counts the files that passed
 * every check, i.e. those the bridge would have sent to the speech service.
 */
final class HeaderReadingAnalysis implements SpeechAnalysis {
    static final long MAX_AUDIO_MS = 60_000;
    final AtomicInteger sent = new AtomicInteger();
    volatile boolean serviceDown;
    private final int maxUploadBytes;

    HeaderReadingAnalysis(int maxUploadBytes) {
        this.maxUploadBytes = maxUploadBytes;
    }

    @Override
    public boolean available() {
        return true;
    }

    @Override
    public int maxUploadBytes() {
        return maxUploadBytes;
    }

    @Override
    public AsrAnswer recognize(byte[] file, String contentType) throws BadAudioException, AiUnavailableException {
        long ms = send(file, contentType);
        return new AsrAnswer("heard " + ms + " ms", 0.5, ms, "stand-in-asr");
    }

    @Override
    public EmotionAnswer emotion(byte[] file, String contentType) throws BadAudioException, AiUnavailableException {
        long ms = send(file, contentType);
        return new EmotionAnswer("neutral", 0.7, Map.of("neutral", 0.7, "happy", 0.3), ms, "stand-in-emotion");
    }

    @Override
    public Map<String, Object> info() {
        return Map.of("models", List.of("stand-in-asr", "stand-in-emotion"));
    }

    @Override
    public Health health() {
        return new Health(!serviceDown, List.of(serviceDown ? "stand-in: down" : "stand-in: ready"));
    }

    private long send(byte[] file, String contentType) throws BadAudioException, AiUnavailableException {
        long ms = contentType.equals("audio/ogg") ? oggMillis(file) : wavMillis(file);
        if (ms > MAX_AUDIO_MS) {
            throw new BadAudioException(BadAudioException.Reason.TOO_LONG, "the audio is " + ms + " ms long; at most "
                    + MAX_AUDIO_MS + " ms are accepted");
        }
        if (serviceDown) {
            throw new AiUnavailableException("the speech service does not answer", Duration.ofSeconds(3));
        }
        sent.incrementAndGet();
        return ms;
    }

    private static long wavMillis(byte[] f) throws BadAudioException {
        ByteBuffer b = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
        if (f.length < 12 || !ascii(f, 0, "RIFF") || !ascii(f, 8, "WAVE")) {
            throw new BadAudioException(BadAudioException.Reason.NOT_AUDIO, "this is not a RIFF/WAVE file");
        }
        int channels = 0;
        int rate = 0;
        int pos = 12;
        while (true) {
            if (pos + 8 > f.length) {
                throw new BadAudioException(BadAudioException.Reason.MALFORMED, "the file ends before its data chunk");
            }
            String id = new String(f, pos, 4, StandardCharsets.US_ASCII);
            long size = Integer.toUnsignedLong(b.getInt(pos + 4));
            if (id.equals("fmt ")) {
                if (size < 16 || pos + 8 + 16 > f.length) {
                    throw new BadAudioException(BadAudioException.Reason.MALFORMED, "the fmt chunk is truncated");
                }
                int format = Short.toUnsignedInt(b.getShort(pos + 8));
                channels = Short.toUnsignedInt(b.getShort(pos + 10));
                rate = b.getInt(pos + 12);
                int bits = Short.toUnsignedInt(b.getShort(pos + 22));
                if (format != 1 || bits != 16 || channels < 1 || channels > 2 || rate < 8000 || rate > 48000) {
                    throw new BadAudioException(BadAudioException.Reason.UNSUPPORTED_FORMAT, "only 16-bit PCM, mono or "
                            + "stereo, 8-48 kHz is read (this is format " + format + ", " + bits + " bits, " + channels
                            + " channels, " + rate + " Hz)");
                }
            } else if (id.equals("data")) {
                if (rate == 0) {
                    throw new BadAudioException(BadAudioException.Reason.MALFORMED, "the data chunk comes before fmt");
                }
                if (pos + 8 + size > f.length) {
                    throw new BadAudioException(BadAudioException.Reason.MALFORMED, "the data chunk is truncated ("
                            + (f.length - pos - 8) + " of " + size + " bytes)");
                }
                int loudest = 0;
                for (int i = pos + 8; i + 1 < pos + 8 + size; i += 2) {
                    loudest = Math.max(loudest, Math.abs(b.getShort(i)));
                }
                if (loudest < 32) {
                    throw new BadAudioException(BadAudioException.Reason.SILENT, "the file holds only silence");
                }
                return size / (2L * channels) * 1000 / rate;
            }
            pos += 8 + (int) Math.min(size + (size & 1), Integer.MAX_VALUE - pos - 8);
        }
    }

    /** The length from the last page's granule position, less the OpusHead's pre-skip, at 48 kHz. */
    private static long oggMillis(byte[] f) throws BadAudioException {
        if (f.length < 4 || !ascii(f, 0, "OggS")) {
            throw new BadAudioException(BadAudioException.Reason.NOT_AUDIO, "this is not an Ogg file");
        }
        if (f.length < 47 || !ascii(f, 28, "OpusHead")) {
            throw new BadAudioException(f.length < 47 ? BadAudioException.Reason.MALFORMED
                    : BadAudioException.Reason.UNSUPPORTED_FORMAT, "the Ogg stream does not start with an OpusHead");
        }
        ByteBuffer b = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
        int preSkip = Short.toUnsignedInt(b.getShort(28 + 10));
        int last = -1;
        for (int i = f.length - 4; i >= 0; i--) {
            if (ascii(f, i, "OggS")) {
                last = i;
                break;
            }
        }
        if (last + 27 > f.length) {
            throw new BadAudioException(BadAudioException.Reason.MALFORMED, "the last Ogg page is truncated");
        }
        long granule = b.getLong(last + 6);
        return Math.max(0, granule - preSkip) / 48;
    }

    private static boolean ascii(byte[] f, int at, String s) {
        if (at + s.length() > f.length) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (f[at + i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
