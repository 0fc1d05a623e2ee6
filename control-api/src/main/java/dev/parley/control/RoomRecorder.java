package dev.parley.control;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * What the control plane asks of the media side to record meetings (the server wires this to the recorder). The
 * control plane decides who may record and keeps the recordings' rows; this records and stores the files, and
 * reports back through the {@link Results} it is attached to.
 */
public interface RoomRecorder {

    /** Where the control plane hears what became of a recording; called on the recorder's threads. */
    interface Results {
        /** The recording ended (stopped, or its room closed) and its files are finalized and handed to the store. */
        void finished(String recordingId, Summary summary);

        /**
         * A recording a crash of this node cut off was finalized from what it had written (its files handed to the
         * store); it completes as {@code truncated} once they are stored, or fails when none could be kept.
         */
        void recovered(String recordingId, Summary summary);

        /** One file of the recording is in the store. */
        void uploaded(String recordingId, String fileKey, long bytes);

        /** The recording, or storing one of its files, failed for good; {@code reason} is shown to hosts. */
        void failed(String recordingId, String reason);
    }

    /**
     * A finished recording: its length, its files' total size, one entry per track, and the meeting file.
     *
     * @param meetingFileKey where the one-file meeting recording goes, or null when there is none
     * @param meetingFileBytes its size, 0 without one
     * @param meetingFileMissing why there is no meeting file (e.g. ffmpeg not installed), null when there is one
     *     or none was attempted
     */
    record Summary(long durationMillis, long bytes, List<Track> tracks, String meetingFileKey, long meetingFileBytes,
                   String meetingFileMissing) {
        public Summary {
            tracks = List.copyOf(tracks);
        }

        /** A recording of per-track files alone (no meeting file attempted). */
        public Summary(long durationMillis, long bytes, List<Track> tracks) {
            this(durationMillis, bytes, tracks, null, 0, null);
        }

        /** How many files go to the store: the track files, and the meeting file when there is one. */
        public int files() {
            return (int) tracks.stream().filter(t -> t.fileKey() != null).count() + (meetingFileKey == null ? 0 : 1);
        }
    }

    /** One track of a recording, as the API shows it. */
    record Track(String participantId, String participantName, String kind, String codec, long startMillis,
                 long endMillis, String fileKey, long bytes, boolean truncated, String failure) {}

    /** How to hand a stored file to a caller. */
    sealed interface Download {
        /** On this server's disk: the API streams it. */
        record LocalFile(Path path, long size) implements Download {}

        /** In an object store: the API redirects to this time-limited URL. */
        record Url(URI url) implements Download {}
    }

    /** Refused: recording is not possible now ({@code reason} says why, e.g. the store is unusable). */
    final class Unavailable extends RuntimeException {
        public Unavailable(String reason) {
            super(reason);
        }
    }

    /** Called once, by the control plane, before any other method. */
    void attach(Results results);

    /**
     * Starts recording {@code room} under {@code recordingId} (a UUID).
     *
     * @throws Unavailable when it cannot start
     */
    void start(String room, String recordingId);

    /** Stops the recording; {@link Results#finished} follows. Unknown ids are ignored. */
    void stop(String recordingId);

    /**
     * Finalizes, in the background, what recording {@code recordingId} had written when a crash of this node cut
     * it off; {@link Results#recovered} (or {@link Results#failed}) follows.
     *
     * @param startedAt when the recording started
     * @throws Unavailable when this node cannot recover recordings
     */
    void recover(String recordingId, java.time.Instant startedAt);

    /**
     * The stored file {@code fileKey}.
     *
     * @throws Unavailable when it is not (or no longer) in the store
     */
    Download download(String fileKey);

    /** No recording on this node (the control plane alone, as in its own tests). */
    RoomRecorder NONE = new RoomRecorder() {
        @Override
        public void attach(Results results) {}

        @Override
        public void start(String room, String recordingId) {
            throw new Unavailable("recording is not available on this server");
        }

        @Override
        public void stop(String recordingId) {}

        @Override
        public void recover(String recordingId, java.time.Instant startedAt) {
            throw new Unavailable("recording is not available on this server");
        }

        @Override
        public Download download(String fileKey) {
            throw new Unavailable("recording is not available on this server");
        }
    };
}
