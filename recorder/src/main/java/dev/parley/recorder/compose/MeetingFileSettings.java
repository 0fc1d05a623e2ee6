package dev.parley.recorder.compose;

import java.time.Duration;
import java.util.Objects;

/**
 * How the meeting file is made.
 *
 * @param cellWidth width of one grid cell, even, 32 to 1920 (made smaller when the grid would pass
 *     {@code maxWidth})
 * @param cellHeight height of one grid cell, even, 32 to 1080
 * @param maxWidth widest picture, even; cells shrink to fit many videos
 * @param maxHeight tallest picture, even
 * @param frameRate pictures per second of the meeting file, 1 to 60
 * @param minimumTimeout ffmpeg is stopped after {@code minimumTimeout + timeoutPerMediaSecond × duration}
 * @param timeoutPerMediaSecond seconds of ffmpeg allowed per second of meeting (with one thread)
 */
public record MeetingFileSettings(int cellWidth, int cellHeight, int maxWidth, int maxHeight, int frameRate,
        Duration minimumTimeout, double timeoutPerMediaSecond) {
    public MeetingFileSettings {
        requireEven("cellWidth", cellWidth, 32, 1920);
        requireEven("cellHeight", cellHeight, 32, 1080);
        requireEven("maxWidth", maxWidth, cellWidth, 3840);
        requireEven("maxHeight", maxHeight, cellHeight, 2160);
        if (frameRate < 1 || frameRate > 60) {
            throw new IllegalArgumentException("frameRate must be 1 to 60, not " + frameRate);
        }
        Objects.requireNonNull(minimumTimeout, "minimumTimeout");
        if (minimumTimeout.isNegative() || minimumTimeout.isZero()) {
            throw new IllegalArgumentException("minimumTimeout must be positive");
        }
        if (!(timeoutPerMediaSecond >= 0 && timeoutPerMediaSecond <= 100)) {
            throw new IllegalArgumentException("timeoutPerMediaSecond must be 0 to 100");
        }
    }

    private static void requireEven(String name, int value, int min, int max) {
        if (value < min || value > max || value % 2 != 0) {
            throw new IllegalArgumentException(name + " must be even and " + min + " to " + max + ", not " + value);
        }
    }

    /** 640x360 cells in at most 1920x1080, 30 fps; ffmpeg gets 10 minutes plus 3 s per second of meeting. */
    public static MeetingFileSettings defaults() {
        return new MeetingFileSettings(640, 360, 1920, 1080, 30, Duration.ofMinutes(10), 3.0);
    }

    Duration timeoutFor(long durationMillis) {
        return minimumTimeout.plusMillis((long) (durationMillis * timeoutPerMediaSecond));
    }
}
