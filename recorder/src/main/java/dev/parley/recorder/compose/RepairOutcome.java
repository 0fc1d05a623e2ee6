package dev.parley.recorder.compose;

import java.nio.file.Path;

/** What came of repairing a file left by a crash. Every outcome that is not {@link Repaired} says why. */
public sealed interface RepairOutcome {
    /** A human-readable account, for logs and a recording's status. */
    String describe();

    /**
     * A finalized file with what was recorded up to the crash (with Cues for seeking when ffmpeg made it).
     *
     * @param durationMillis the duration recovered, as ffprobe reads the repaired file
     * @param truncated always true: the recording ended with a crash, not a stop
     */
    record Repaired(Path file, long durationMillis, boolean truncated) implements RepairOutcome {
        @Override
        public String describe() {
            return "repaired " + file.getFileName() + ": " + durationMillis + " ms recovered, truncated";
        }
    }

    /** The file was finalized already; nothing was written. */
    record NotNeeded(String reason) implements RepairOutcome {
        @Override
        public String describe() {
            return reason;
        }
    }

    /**
     * ffmpeg is not on this machine and the file lacks what Parley needs to finalize it itself (it was not written
     * by Parley). The file plays as it is, from the start, without a duration.
     */
    record FfmpegMissing(String reason) implements RepairOutcome {
        @Override
        public String describe() {
            return reason;
        }
    }

    /** The file could not be repaired (not WebM/Matroska, unreadable, ffmpeg failed); nothing was written. */
    record Failed(String reason) implements RepairOutcome {
        @Override
        public String describe() {
            return reason;
        }
    }
}
