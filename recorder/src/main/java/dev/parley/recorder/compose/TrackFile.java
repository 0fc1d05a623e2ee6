package dev.parley.recorder.compose;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One per-track file of a recording and where it sits on the recording's timeline.
 *
 * @param file the track's WebM (or Matroska) file, as {@code TrackRecorder} wrote it
 * @param participantId who published the track
 * @param participantName their display name (for the manifest; not drawn into the picture)
 * @param kind audio or video
 * @param startMillis when the track's first frame is on the recording's timeline (ms from the recording's start)
 * @param endMillis when its last frame ends on that timeline
 * @param syncCorrectionMillis what to add to the track's times to line it up with the publisher's other tracks
 *     ({@code TrackStats.syncCorrectionMillis()}; 0 when unknown)
 */
public record TrackFile(Path file, String participantId, String participantName, Kind kind, long startMillis,
        long endMillis, long syncCorrectionMillis) {
    /** A correction beyond this is not lip sync but a broken clock; it is refused rather than applied. */
    static final long MAX_SYNC_CORRECTION_MILLIS = 10_000;

    /** What a track carries. */
    public enum Kind {
        AUDIO, VIDEO
    }

    public TrackFile {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(participantId, "participantId");
        Objects.requireNonNull(participantName, "participantName");
        Objects.requireNonNull(kind, "kind");
        if (startMillis < 0 || endMillis < startMillis) {
            throw new IllegalArgumentException("track " + file.getFileName() + ": start " + startMillis
                    + " ms and end " + endMillis + " ms are not a time span on the recording's timeline");
        }
        if (Math.abs(syncCorrectionMillis) > MAX_SYNC_CORRECTION_MILLIS) {
            throw new IllegalArgumentException("track " + file.getFileName() + ": sync correction "
                    + syncCorrectionMillis + " ms is beyond " + MAX_SYNC_CORRECTION_MILLIS + " ms");
        }
    }

    /** Where the track starts in the meeting file: its start moved by the sync correction, never before 0. */
    long placedStartMillis() {
        return Math.max(0, startMillis + syncCorrectionMillis);
    }

    /** Where the track ends in the meeting file. */
    long placedEndMillis() {
        return Math.max(placedStartMillis(), endMillis + syncCorrectionMillis);
    }
}
