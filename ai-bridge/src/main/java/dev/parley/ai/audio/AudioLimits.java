package dev.parley.ai.audio;

import java.time.Duration;

/**
 * Limits on an uploaded audio file.
 *
 * @param maxBytes the largest file accepted, in bytes
 * @param maxDuration the longest audio accepted
 * @param silencePeakDbfs a file whose loudest sample is below this level (dBFS) is silent
 */
public record AudioLimits(long maxBytes, Duration maxDuration, double silencePeakDbfs) {
    /** 10 MB, 60 s, -60 dBFS. */
    public static AudioLimits defaults() {
        return new AudioLimits(10L << 20, Duration.ofSeconds(60), -60);
    }

    public AudioLimits {
        if (maxBytes < 1024 || maxBytes > (1L << 30)) {
            throw new IllegalArgumentException("ai-upload-max-bytes must be 1 KiB to 1 GiB, got " + maxBytes);
        }
        if (maxDuration == null || maxDuration.toMillis() < 1000 || maxDuration.toMinutes() > 60) {
            throw new IllegalArgumentException("ai-upload-max-duration must be 1 s to 60 min, got " + maxDuration);
        }
        if (silencePeakDbfs < -96 || silencePeakDbfs > -10) {
            throw new IllegalArgumentException("the silence level must be -96 to -10 dBFS, got " + silencePeakDbfs);
        }
    }

    /** The most 16 kHz samples a file may hold. */
    long maxSamples16k() {
        return maxDuration.toMillis() * Pcm16k.RATE / 1000;
    }
}
