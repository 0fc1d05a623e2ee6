package dev.parley.recorder.compose;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Whether a recording file was finalized or left by a crash, told from its first bytes (no ffmpeg needed), so that
 * a restarted server knows which files to hand to {@link TruncatedRecordingRepair}.
 */
public enum TrackFileCondition {
    /** Closed cleanly: the Segment has its size, the file holds all of it, and Info has a Duration. */
    FINALIZED,
    /**
     * Left while being written (a crash, {@code kill -9}): the Segment's size is unknown or larger than the file,
     * or there is no Duration. It plays up to its last complete cluster; repair it.
     */
    TRUNCATED,
    /** Not a WebM/Matroska file at all (empty, cut inside its header, or something else). */
    UNREADABLE;

    /** Looks at the start of {@code file}; an I/O error (a missing file) is thrown, not reported as a condition. */
    public static TrackFileCondition of(Path file) throws IOException {
        try {
            MatroskaHead head = MatroskaHead.read(file);
            return head.segmentSized && head.segmentComplete && head.hasDuration ? FINALIZED : TRUNCATED;
        } catch (MatroskaHead.NotMatroska e) {
            return UNREADABLE;
        }
    }
}
