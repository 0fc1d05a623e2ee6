package dev.parley.recorder;

import dev.parley.recorder.store.ObjectKey;

/**
 * The one-file recording of a whole meeting (every voice mixed, the videos in a grid), made from the per-track
 * files when the recording ends; or why there is none, in which case the per-track files and the manifest are the
 * recording.
 *
 * @param fileKey where it is stored ({@code recordings/<id>/meeting.webm}), or null when there is none
 * @param bytes its size, 0 without a file
 * @param durationMillis its duration as ffprobe reads it, 0 without a file
 * @param missingReason why there is no meeting file (ffmpeg not installed, ffmpeg failed, nothing recorded), or
 *     null when there is one
 */
public record MeetingFile(ObjectKey fileKey, long bytes, long durationMillis, String missingReason) {
    /** The name of the meeting file among the recording's files. */
    public static final String NAME = "meeting.webm";

    public MeetingFile {
        if ((fileKey == null) == (missingReason == null)) {
            throw new IllegalArgumentException("a meeting file has either a key or a reason why it is missing");
        }
    }

    static MeetingFile stored(ObjectKey key, long bytes, long durationMillis) {
        return new MeetingFile(key, bytes, durationMillis, null);
    }

    static MeetingFile missing(String reason) {
        return new MeetingFile(null, 0, 0, reason);
    }
}
