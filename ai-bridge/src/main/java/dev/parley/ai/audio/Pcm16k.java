package dev.parley.ai.audio;

import java.util.Arrays;

/**
 * Mono 16-bit PCM at 16 kHz: what Parley sends to speech models. Immutable; {@link #samples()} returns a copy, and
 * the bridge reads the samples in place through {@link #sample(int)}.
 */
public final class Pcm16k {
    /** The sample rate, Hz. */
    public static final int RATE = 16_000;

    private final short[] samples;

    private Pcm16k(short[] samples) {
        this.samples = samples;
    }

    /** Audio of these samples (copied). */
    public static Pcm16k of(short[] samples) {
        return new Pcm16k(samples.clone());
    }

    /** Audio of {@code samples[offset .. offset+length)} (copied). */
    public static Pcm16k of(short[] samples, int offset, int length) {
        return new Pcm16k(Arrays.copyOfRange(samples, offset, offset + length));
    }

    /** Takes the array without copying; the caller must not change it afterwards. */
    static Pcm16k wrap(short[] samples) {
        return new Pcm16k(samples);
    }

    public int length() {
        return samples.length;
    }

    public short sample(int i) {
        return samples[i];
    }

    /** A copy of the samples. */
    public short[] samples() {
        return samples.clone();
    }

    public long durationMillis() {
        return samples.length * 1000L / RATE;
    }

    /** Peak absolute sample value, 0 to 32768. */
    public int peak() {
        int peak = 0;
        for (short s : samples) {
            peak = Math.max(peak, Math.abs((int) s));
        }
        return peak;
    }

    @Override
    public String toString() {
        return "Pcm16k[" + samples.length + " samples, " + durationMillis() + " ms]";
    }
}
