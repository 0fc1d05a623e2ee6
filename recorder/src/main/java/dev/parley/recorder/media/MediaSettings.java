package dev.parley.recorder.media;

import java.time.Duration;

/**
 * Tuning of a track recorder.
 *
 * @param jitterSlots packets the jitter buffer can hold, a power of two (bounds its memory: slots x 1600 bytes)
 * @param jitterDeadline how long a packet behind a missing one waits before the missing one is given up
 * @param clusterDuration longest WebM cluster: at most this much media is lost in a crash
 * @param syncInterval least time between two syncs of a file to disk
 * @param maxFrameBytes larger video frames are dropped (bounds the memory of frame assembly)
 * @param keyframeRequestInterval least time between two keyframe requests to a sender
 */
public record MediaSettings(int jitterSlots, Duration jitterDeadline, Duration clusterDuration,
        Duration syncInterval, int maxFrameBytes, Duration keyframeRequestInterval) {

    /** Checks each value with a message that names it. */
    public MediaSettings {
        if (jitterSlots < 16 || jitterSlots > 16384 || Integer.bitCount(jitterSlots) != 1) {
            throw new IllegalArgumentException("jitterSlots must be a power of two 16..16384, got " + jitterSlots);
        }
        requireRange("jitterDeadline", jitterDeadline, Duration.ZERO, Duration.ofSeconds(5));
        requireRange("clusterDuration", clusterDuration, Duration.ofMillis(100), Duration.ofSeconds(30));
        requireRange("syncInterval", syncInterval, Duration.ZERO, Duration.ofMinutes(5));
        requireRange("keyframeRequestInterval", keyframeRequestInterval, Duration.ofMillis(10),
                Duration.ofMinutes(1));
        if (maxFrameBytes < 64 << 10 || maxFrameBytes > 64 << 20) {
            throw new IllegalArgumentException("maxFrameBytes must be 64 KiB..64 MiB, got " + maxFrameBytes);
        }
    }

    /** 512 slots, 200 ms deadline, 1 s clusters synced at most every second, 4 MiB frames, 500 ms requests. */
    public static MediaSettings defaults() {
        return new MediaSettings(512, Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofSeconds(1),
                Depacketizer.DEFAULT_MAX_FRAME, Duration.ofMillis(500));
    }

    private static void requireRange(String name, Duration d, Duration min, Duration max) {
        if (d == null || d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + d);
        }
    }
}
