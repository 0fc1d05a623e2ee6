package dev.parley.recorder;

import java.time.Instant;
import java.util.List;

/**
 * What a finished recording holds, for the control plane to keep and show (it serialises this; the recorder
 * writes no JSON).
 *
 * @param recordingId the id the recording was started with
 * @param room the SFU room that was recorded
 * @param startedAt when the recording started
 * @param durationMillis from the start to the stop
 * @param droppedPackets packets the tap's queue had no room for (the recorder fell behind); 0 normally
 * @param tracks every track that was in the recording, in the order they appeared
 * @param meetingFile the one-file recording of the meeting, or why there is none; null when it was not attempted
 *     (a recording finished without the compose step, e.g. repaired after a crash)
 */
public record RecordingManifest(String recordingId, String room, Instant startedAt, long durationMillis,
        long droppedPackets, List<RecordedTrack> tracks, MeetingFile meetingFile) {

    public RecordingManifest {
        tracks = List.copyOf(tracks);
    }

    /** A manifest of per-track files alone (no meeting file was attempted). */
    public RecordingManifest(String recordingId, String room, Instant startedAt, long durationMillis,
            long droppedPackets, List<RecordedTrack> tracks) {
        this(recordingId, room, startedAt, durationMillis, droppedPackets, tracks, null);
    }

    /** Bytes of all the files: the track files and the meeting file. */
    public long bytes() {
        return tracks.stream().mapToLong(RecordedTrack::bytes).sum()
                + (meetingFile == null ? 0 : meetingFile.bytes());
    }
}
