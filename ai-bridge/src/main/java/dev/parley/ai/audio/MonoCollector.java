package dev.parley.ai.audio;

import dev.parley.ai.audio.AudioFileException.Reason;
import java.util.Arrays;

/** Gathers a file's mono samples at its own rate, resamples them to 16 kHz and checks length and silence. */
final class MonoCollector {
    private final Resampler resampler;
    private final AudioLimits limits;
    private final long maxSamples;
    private short[] out = new short[16_000];
    private int length;
    private final short[] chunk = new short[4096];
    private int chunkFill;
    private short[] resampled;

    MonoCollector(int rate, AudioLimits limits) throws AudioFileException {
        this.limits = limits;
        this.maxSamples = limits.maxSamples16k();
        if (rate == Pcm16k.RATE) {
            this.resampler = null;
        } else {
            try {
                this.resampler = new Resampler(rate, Pcm16k.RATE);
            } catch (IllegalArgumentException e) {
                throw new AudioFileException(Reason.UNSUPPORTED_FORMAT, "a sample rate of " + rate
                        + " Hz is not supported: use a common rate such as 16000, 44100 or 48000 Hz");
            }
            this.resampled = new short[resampler.maxOutput(chunk.length)];
        }
    }

    void add(short sample) throws AudioFileException {
        chunk[chunkFill++] = sample;
        if (chunkFill == chunk.length) {
            drainChunk();
        }
    }

    private void drainChunk() throws AudioFileException {
        if (resampler == null) {
            append(chunk, chunkFill);
        } else {
            append(resampled, resampler.process(chunk, 0, chunkFill, resampled, 0));
        }
        chunkFill = 0;
    }

    private void append(short[] samples, int n) throws AudioFileException {
        if (length + (long) n > maxSamples) {
            throw new AudioFileException(Reason.TOO_LARGE, "the audio is longer than the limit of "
                    + limits.maxDuration().toSeconds() + " s");
        }
        if (length + n > out.length) {
            out = Arrays.copyOf(out, Math.max(length + n, out.length * 2));
        }
        System.arraycopy(samples, 0, out, length, n);
        length += n;
    }

    Pcm16k finish() throws AudioFileException {
        drainChunk();
        if (resampler != null) {
            append(resampled, resampler.flush(resampled, 0));
        }
        if (length == 0) {
            throw new AudioFileException(Reason.SILENT, "the file holds no audio samples");
        }
        Pcm16k pcm = Pcm16k.wrap(Arrays.copyOf(out, length));
        double peakDbfs = 20 * Math.log10(Math.max(pcm.peak(), 1) / 32768.0);
        if (peakDbfs < limits.silencePeakDbfs()) {
            throw new AudioFileException(Reason.SILENT, String.format(java.util.Locale.ROOT,
                    "the audio is silent: its loudest sample is %.0f dBFS, below %.0f dBFS", peakDbfs,
                    limits.silencePeakDbfs()));
        }
        return pcm;
    }
}
