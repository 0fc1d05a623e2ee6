package dev.parley.recorder.compose;

import java.nio.file.Path;

/** What came of making a meeting file. Every outcome that is not {@link Made} carries a reason to show. */
public sealed interface MeetingFileOutcome {
    /** A human-readable account, for logs and a recording's status. */
    String describe();

    /**
     * The meeting file was written.
     *
     * @param durationMillis its duration as ffprobe reads it
     * @param columns grid columns of its picture
     * @param rows grid rows of its picture
     */
    record Made(Path file, long durationMillis, int columns, int rows) implements MeetingFileOutcome {
        @Override
        public String describe() {
            return "meeting file " + file.getFileName() + ", " + durationMillis + " ms, grid " + columns + "x"
                    + rows;
        }
    }

    /** ffmpeg is not on this machine: offer the per-track files and the manifest instead. */
    record FfmpegMissing(String reason) implements MeetingFileOutcome {
        @Override
        public String describe() {
            return reason;
        }
    }

    /** ffmpeg ran and failed, timed out, or the input was unusable; nothing was written at the target. */
    record Failed(String reason) implements MeetingFileOutcome {
        @Override
        public String describe() {
            return reason;
        }
    }
}
