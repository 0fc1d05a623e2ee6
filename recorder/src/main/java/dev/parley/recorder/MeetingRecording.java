package dev.parley.recorder;

import dev.parley.recorder.compose.MeetingFileComposer;
import dev.parley.recorder.compose.MeetingFileOutcome;
import dev.parley.recorder.media.CodecInfo;
import dev.parley.recorder.media.MediaCodec;
import dev.parley.recorder.media.MediaSettings;
import dev.parley.recorder.media.SenderClock;
import dev.parley.recorder.media.TrackRecorder;
import dev.parley.recorder.media.TrackStats;
import dev.parley.recorder.store.ObjectKey;
import dev.parley.recorder.store.RecordingUploader;
import dev.parley.recorder.store.StoreException;
import dev.parley.sfu.MediaKind;
import dev.parley.sfu.tap.TapPacket;
import dev.parley.sfu.tap.TapSenderReport;
import dev.parley.sfu.tap.TappedTrack;
import dev.parley.sfu.tap.TrackRemoval;
import dev.parley.sfu.tap.TrackTap;
import dev.parley.sfu.tap.TrackTapListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A recording under way: a tap on one room and a {@link TrackRecorder} per tapped track. Obtained from
 * {@link MeetingRecorder#start}.
 *
 * <p>Packets reach the track recorders on the tap's thread; the recorder's executor ticks them (jitter deadlines,
 * flushing a quiet track's cluster). Both take this recording's lock, which is never held by a media thread.
 * The end (closing the files, making the meeting file with ffmpeg, handing them to the uploader) runs on the
 * tap's thread after its last call.
 */
public final class MeetingRecording {
    private static final Logger LOG = LoggerFactory.getLogger(MeetingRecording.class);

    private final String id;
    private final String room;
    private final Path workDir;
    private final RecordingUploader uploader;
    private final MediaSettings settings;
    private final MeetingFileComposer composer;
    private final long originNanos;
    private final Instant startedAt;
    private final CompletableFuture<RecordingManifest> finished = new CompletableFuture<>();
    private final Object lock = new Object();
    // Guarded by lock:
    private final Map<String, TrackFile> open = new HashMap<>();
    private final List<TrackFile> all = new ArrayList<>();
    private final Map<String, SenderClock> clocks = new HashMap<>();
    private boolean ended;
    private volatile TrackTap tap;
    private volatile boolean stopRequested;
    private volatile ScheduledFuture<?> ticking;

    MeetingRecording(String id, String room, Path workDir, RecordingUploader uploader, MediaSettings settings,
            MeetingFileComposer composer) {
        this.id = id;
        this.composer = composer;
        this.room = room;
        this.workDir = workDir;
        this.uploader = uploader;
        this.settings = settings;
        this.originNanos = System.nanoTime();
        this.startedAt = Instant.now();
    }

    public String id() {
        return id;
    }

    public String room() {
        return room;
    }

    public Instant startedAt() {
        return startedAt;
    }

    /**
     * Stops the recording: closes the tap, finalizes every track's file and hands the files to the uploader.
     * Stopping twice returns the same future.
     *
     * @return completes with the manifest once the files are in the upload spool (not yet uploaded)
     */
    public CompletableFuture<RecordingManifest> stop() {
        stopRequested = true;
        TrackTap t = tap;
        if (t != null) {
            t.close();
        }
        return finished;
    }

    /**
     * Completes when the recording has ended, by {@link #stop()} or because its room closed (the tap then closes
     * itself); exceptionally when the tap could not be opened.
     */
    public CompletableFuture<RecordingManifest> finished() {
        return finished;
    }

    /** Whether the recording has ended. */
    public boolean isFinished() {
        return finished.isDone();
    }

    /** Packets and sender reports the tap has delivered to this recording so far. */
    public long deliveredPackets() {
        TrackTap t = tap;
        return t == null ? 0 : t.deliveredPackets();
    }

    /** Packets the tap dropped because this recording fell behind (0 normally). */
    public long droppedPackets() {
        TrackTap t = tap;
        return t == null ? 0 : t.droppedPackets();
    }

    void tapOpened(TrackTap opened, ScheduledFuture<?> ticks) {
        ticking = ticks;
        tap = opened;
        if (stopRequested) {
            opened.close();
        }
    }

    void tapFailed(Throwable error, ScheduledFuture<?> ticks) {
        ticks.cancel(false);
        finished.completeExceptionally(error);
    }

    /** Runs on the recorder's executor. */
    void tick() {
        long now = System.nanoTime();
        synchronized (lock) {
            if (ended) {
                return;
            }
            for (TrackFile f : open.values()) {
                f.recorder.tick(now);
            }
        }
    }

    final TrackTapListener listener = new TrackTapListener() {
        @Override
        public void onTrackAdded(TappedTrack track) {
            MediaCodec codec = codecOf(track.codec());
            synchronized (lock) {
                if (ended || open.containsKey(track.trackId())) {
                    return;
                }
                TrackFile f = new TrackFile(track, all.size() + 1, sinceStart());
                all.add(f);
                if (codec == null) {
                    f.failure = "codec " + track.codec() + " is not recorded";
                    return;
                }
                int channels = codec.isVideo() ? 0 : Math.min(2, Math.max(1, track.channels()));
                f.path = workDir.resolve(f.fileName(codec));
                SenderClock clock = clocks.computeIfAbsent(track.participantId(), p -> new SenderClock());
                String trackId = track.trackId();
                try {
                    f.recorder = new TrackRecorder(f.path, new CodecInfo(codec, track.clockRate(), channels),
                            originNanos, () -> requestKeyframe(trackId), settings, clock);
                } catch (IllegalArgumentException e) {
                    f.failure = "track not recorded: " + e.getMessage();
                    return;
                }
                open.put(trackId, f);
            }
        }

        @Override
        public void onRtp(TappedTrack track, TapPacket packet) {
            synchronized (lock) {
                TrackFile f = open.get(track.trackId());
                if (f != null) {
                    f.ssrc = packet.ssrc();
                    f.recorder.packet(packet.array(), packet.offset(), packet.length(), packet.arrivalNanos());
                }
            }
        }

        @Override
        public void onSenderReport(TappedTrack track, TapSenderReport report) {
            synchronized (lock) {
                TrackFile f = open.get(track.trackId());
                if (f != null) {
                    f.recorder.senderReport(f.ssrc, report.ntpTimestamp(), (int) report.rtpTimestamp(),
                            report.arrivalNanos());
                }
            }
        }

        @Override
        public void onTrackRemoved(TappedTrack track, TrackRemoval reason) {
            synchronized (lock) {
                TrackFile f = open.remove(track.trackId());
                if (f != null) {
                    f.end(sinceStart());
                }
            }
        }

        @Override
        public void onClosed() {
            end();
        }
    };

    private void requestKeyframe(String trackId) {
        TrackTap t = tap;
        if (t != null) {
            t.requestKeyframe(trackId);
        }
    }

    /** Runs on the tap's thread, after its last delivery: nothing else touches the track files any more. */
    private void end() {
        ScheduledFuture<?> ticks = ticking;
        if (ticks != null) {
            ticks.cancel(false);
        }
        List<TrackFile> files;
        synchronized (lock) {
            if (ended) {
                return;
            }
            ended = true;
            long now = sinceStart();
            for (TrackFile f : open.values()) {
                f.end(now);
            }
            open.clear();
            files = List.copyOf(all);
        }
        try {
            long duration = sinceStart();
            MeetingFile meetingFile = composeMeetingFile(files);
            List<RecordedTrack> tracks = handOn(files);
            TrackTap t = tap;
            finished.complete(new RecordingManifest(id, room, startedAt, duration,
                    t == null ? 0 : t.droppedPackets(), tracks, meetingFile));
        } catch (RuntimeException e) {
            LOG.error("Recording {} could not be finished", id, e);
            finished.completeExceptionally(e);
        }
    }

    /**
     * Makes the meeting file from the per-track files (still in the work directory) and hands it to the uploader
     * as {@code recordings/<id>/meeting.webm}. ffmpeg runs here, on the tap's own thread (never a media thread),
     * after the tap's last delivery. Never throws: a missing ffmpeg or a failed run is the reason in the manifest.
     */
    private MeetingFile composeMeetingFile(List<TrackFile> files) {
        List<dev.parley.recorder.compose.TrackFile> inputs = new ArrayList<>();
        for (TrackFile f : files) {
            dev.parley.recorder.compose.TrackFile input = f.composeInput();
            if (input != null) {
                inputs.add(input);
            }
        }
        Path target = workDir.resolve(MeetingFile.NAME);
        MeetingFileOutcome outcome = composer.compose(inputs, target);
        if (!(outcome instanceof MeetingFileOutcome.Made made)) {
            LOG.info("Recording {}: {}", id, outcome.describe());
            return MeetingFile.missing(outcome.describe());
        }
        ObjectKey key = MeetingRecorder.keyOf(id, MeetingFile.NAME);
        try {
            long bytes = Files.size(made.file());
            uploader.submit(key, made.file());
            LOG.info("Recording {}: {}", id, outcome.describe());
            return MeetingFile.stored(key, bytes, made.durationMillis());
        } catch (StoreException | IOException | RuntimeException e) {
            LOG.warn("Recording {}: the meeting file could not be handed to the uploader: {}", id, e.toString());
            return MeetingFile.missing("no meeting file: it could not be kept: " + e.getMessage());
        }
    }

    /**
     * Where a finished recording's per-track files are handed on: into the upload spool, each under
     * {@code recordings/<id>/<file>}.
     */
    private List<RecordedTrack> handOn(List<TrackFile> files) {
        List<RecordedTrack> tracks = new ArrayList<>(files.size());
        for (TrackFile f : files) {
            tracks.add(submit(f));
        }
        return tracks;
    }

    private RecordedTrack submit(TrackFile f) {
        TrackStats stats = f.recorder == null ? null : f.recorder.stats();
        String failure = f.failure != null ? f.failure : stats == null ? null : stats.failure();
        ObjectKey key = null;
        long bytes = 0;
        if (f.path != null && Files.isRegularFile(f.path)) {
            ObjectKey candidate = MeetingRecorder.keyOf(id, f.path.getFileName().toString());
            try {
                bytes = Files.size(f.path);
                uploader.submit(candidate, f.path);
                key = candidate;
            } catch (StoreException | IOException | RuntimeException e) {
                // The file stays in the work directory for an operator; the recording goes on without it.
                LOG.warn("Recording {}: track file {} could not be handed to the uploader: {}", id, f.path,
                        e.toString());
                failure = failure == null ? "the file could not be kept: " + e.getMessage() : failure;
                bytes = 0;
            }
        }
        TappedTrack t = f.track;
        return new RecordedTrack(t.trackId(), t.participantId(), t.participantName(), t.kind(), t.codec(),
                f.startMillis, f.endMillis, key, bytes, failure != null && key != null, failure);
    }

    private long sinceStart() {
        return (System.nanoTime() - originNanos) / 1_000_000;
    }

    static MediaCodec codecOf(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "opus" -> MediaCodec.OPUS;
            case "vp8" -> MediaCodec.VP8;
            case "h264" -> MediaCodec.H264;
            default -> null;
        };
    }

    /** One tapped track's file and recorder. */
    private static final class TrackFile {
        final TappedTrack track;
        final int index;
        final long startMillis;
        long endMillis = -1;
        Path path;
        TrackRecorder recorder;
        int ssrc;
        String failure;

        TrackFile(TappedTrack track, int index, long startMillis) {
            this.track = track;
            this.index = index;
            this.startMillis = startMillis;
        }

        String fileName(MediaCodec codec) {
            String ext = codec == MediaCodec.H264 ? ".mkv" : ".webm";
            return "track-" + index + "-" + (track.kind() == MediaKind.AUDIO ? "audio" : "video") + ext;
        }

        /**
         * This track as an input of the meeting file: its file's first and last frame on the recording's timeline,
         * moved by the publisher's sender-report sync when known; null without a file to read.
         */
        dev.parley.recorder.compose.TrackFile composeInput() {
            if (recorder == null || path == null || !Files.isRegularFile(path)) {
                return null;
            }
            TrackStats stats = recorder.stats();
            if (stats.frames() == 0 || stats.firstFrameMillis() < 0) {
                return null;
            }
            long start = stats.firstFrameMillis();
            long end = Math.max(start, stats.durationMillis());
            var kind = track.kind() == MediaKind.AUDIO ? dev.parley.recorder.compose.TrackFile.Kind.AUDIO
                    : dev.parley.recorder.compose.TrackFile.Kind.VIDEO;
            String name = track.participantName() == null ? "" : track.participantName();
            try {
                return new dev.parley.recorder.compose.TrackFile(path, track.participantId(), name, kind, start, end,
                        stats.synced() ? stats.syncCorrectionMillis() : 0);
            } catch (IllegalArgumentException e) {
                // A sync correction beyond belief is a broken sender clock: place the track by arrival instead.
                return new dev.parley.recorder.compose.TrackFile(path, track.participantId(), name, kind, start, end,
                        0);
            }
        }

        void end(long atMillis) {
            endMillis = atMillis;
            if (recorder != null) {
                try {
                    recorder.close();
                } catch (IOException e) {
                    failure = "closing the file failed: " + e.getMessage();
                }
            }
        }
    }
}
