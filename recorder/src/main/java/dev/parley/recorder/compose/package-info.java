/**
 * File-to-file steps of a recording, run off the media path on a worker thread, with ffmpeg as a subprocess:
 * {@link dev.parley.recorder.compose.MeetingFileComposer} makes the meeting file (voices mixed, videos in a grid)
 * from the per-track files after a stop, and {@link dev.parley.recorder.compose.TruncatedRecordingRepair}
 * finalizes per-track files left by a crash, which {@link dev.parley.recorder.compose.TrackFileCondition} finds.
 * ffmpeg is optional: without it each step returns an outcome that says so.
 */
package dev.parley.recorder.compose;
