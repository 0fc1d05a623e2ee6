package dev.parley.server;

import dev.parley.control.RoomRecorder;
import dev.parley.recorder.CrashRecovery;
import dev.parley.recorder.MeetingRecorder;
import dev.parley.recorder.compose.FfmpegTools;
import dev.parley.recorder.RecordedTrack;
import dev.parley.recorder.RecordingManifest;
import dev.parley.recorder.media.MediaSettings;
import dev.parley.recorder.store.LocalDirectoryStore;
import dev.parley.recorder.store.ObjectKey;
import dev.parley.recorder.store.RecordingStore;
import dev.parley.recorder.store.RecordingUploader;
import dev.parley.recorder.store.RetryPolicy;
import dev.parley.recorder.store.S3Store;
import dev.parley.recorder.store.StoreException;
import dev.parley.recorder.store.UploadEvent;
import dev.parley.sfu.SfuServer;
import dev.parley.sfu.tap.TapOptions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's {@link RoomRecorder} on this node: recordings of the SFU's rooms through the recorder, files
 * stored by the uploader in the configured store. What becomes of a recording goes back to the control plane on
 * a thread of its own (never the tap's or the uploader's), in order.
 */
final class SfuRoomRecorder implements RoomRecorder, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SfuRoomRecorder.class);
    private static final int TAP_QUEUE_PACKETS = 4096;

    private final SfuServer sfu;
    private final RecordingConfig config;
    private final RecordingStore store;
    /** The hand-overs of recordings' ends to {@link #results} not yet made. */
    private final Set<CompletableFuture<?>> reporting = ConcurrentHashMap.newKeySet();
    private final ExecutorService results = Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().daemon().name("parley-recording-results").unstarted(r));
    /** Finalizes crashed recordings after a restart: ffmpeg work, off the start-up path and the media threads. */
    private final ExecutorService recovery = Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().daemon().name("parley-recording-recovery").unstarted(r));
    private volatile Results sink;
    private volatile Announcer announcer = (room, id, active) -> { };

    /** Tells a room's participants that it is recorded or no longer (signaling's {@code recording} message). */
    @FunctionalInterface
    interface Announcer {
        void recordingChanged(String room, String recordingId, boolean active);
    }
    private RecordingUploader uploader;
    private MeetingRecorder recorder;

    /** Opens and checks the store: a missing bucket or refused credentials stop the server with the reason. */
    SfuRoomRecorder(SfuServer sfu, RecordingConfig config) {
        this.sfu = sfu;
        this.config = config;
        this.store = config.s3() != null ? new S3Store(config.s3()) : new LocalDirectoryStore(config.dir(), config.minFree());
        try {
            store.check();
        } catch (StoreException e) {
            store.close();
            throw new IllegalStateException("the recording store (" + store.describe() + ") is not usable: "
                    + e.getMessage(), e);
        }
        log.info("Recordings go to {}", store.describe());
    }

    /** Starts the uploader (resuming what a previous run left in the spool) once results have somewhere to go. */
    @Override
    public synchronized void attach(Results results) {
        if (sink != null) {
            throw new IllegalStateException("already attached");
        }
        sink = results;
        try {
            uploader = RecordingUploader.start(config.spoolDir(), store,
                    new RetryPolicy(Duration.ofSeconds(1), Duration.ofMinutes(5), config.uploadAttempts()),
                    this::uploadEvent);
        } catch (StoreException e) {
            throw new IllegalStateException("the recording spool " + config.spoolDir() + " is not usable: "
                    + e.getMessage(), e);
        }
        recorder = new MeetingRecorder(config.workDir(), uploader, MediaSettings.defaults(),
                TapOptions.withQueue(TAP_QUEUE_PACKETS));
    }

    void announceTo(Announcer a) {
        announcer = a;
    }

    @Override
    public void start(String room, String recordingId) {
        MeetingRecorder r = recorder;
        if (r == null) {
            throw new Unavailable("the recorder is not running");
        }
        dev.parley.recorder.MeetingRecording recording;
        try {
            recording = r.start(sfu.room(room), recordingId).get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new Unavailable("the room could not be tapped: " + e.getCause().getMessage());
        } catch (TimeoutException e) {
            throw new Unavailable("the room did not open a tap within 5 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted");
        } catch (RuntimeException e) {
            throw new Unavailable(e.getMessage());
        }
        // Announced before the end can be: a recording stopped at once is still announced as ended after.
        announcer.recordingChanged(room, recordingId, true);
        CompletableFuture<?> reported = recording.finished().whenComplete((manifest, error) -> results.execute(() -> {
            announcer.recordingChanged(room, recordingId, false);
            if (error != null) {
                sink.failed(recordingId, "the recording ended with an error: " + error.getMessage());
            } else {
                finished(manifest);
            }
        }));
        reporting.add(reported);
        reported.whenComplete((v, e) -> reporting.remove(reported));
    }

    @Override
    public void recover(String recordingId, java.time.Instant startedAt) {
        MeetingRecorder r = recorder;
        if (r == null) {
            throw new Unavailable("the recorder is not running");
        }
        CrashRecovery crashed = new CrashRecovery(config.workDir(), uploader, FfmpegTools.onPath());
        recovery.execute(() -> {
            try {
                RecordingManifest m = crashed.recover(recordingId, startedAt);
                if (recovery.isShutdown()) { // cut short by a shutdown: not a verdict, the next start goes on
                    log.info("Recording {}: recovery interrupted by the shutdown", recordingId);
                    return;
                }
                results.execute(() -> sink.recovered(recordingId, summaryOf(m)));
            } catch (RuntimeException e) {
                log.error("Recording {} could not be recovered", recordingId, e);
                results.execute(() -> sink.failed(recordingId, "the server stopped during the recording and "
                        + "recovering it failed: " + e.getMessage()));
            }
        });
    }

    private static Summary summaryOf(RecordingManifest m) {
        List<Track> tracks = m.tracks().stream().map(t -> new Track(t.participantId(), t.participantName(),
                t.kind().name().toLowerCase(java.util.Locale.ROOT), t.codec(), t.startMillis(), t.endMillis(),
                t.fileKey() == null ? null : t.fileKey().value(), t.bytes(), t.truncated(), t.failure())).toList();
        dev.parley.recorder.MeetingFile mf = m.meetingFile();
        return new Summary(m.durationMillis(), m.bytes(), tracks,
                mf == null || mf.fileKey() == null ? null : mf.fileKey().value(), mf == null ? 0 : mf.bytes(),
                mf == null ? null : mf.missingReason());
    }

    private void finished(RecordingManifest m) {
        sink.finished(m.recordingId(), summaryOf(m));
        // A file that could not even reach the spool (disk full) fails the recording; the call went on.
        for (RecordedTrack t : m.tracks()) {
            if (t.fileKey() == null && t.failure() != null) {
                sink.failed(m.recordingId(), "the " + t.kind().name().toLowerCase(java.util.Locale.ROOT)
                        + " of " + t.participantName() + " could not be stored: " + t.failure());
            }
        }
    }

    private void uploadEvent(UploadEvent event) {
        Optional<String> id = MeetingRecorder.recordingIdOf(event.key());
        if (id.isEmpty()) {
            return;
        }
        switch (event) {
            case UploadEvent.Uploaded u -> results.execute(() -> sink.uploaded(id.get(), u.key().value(), u.object().size()));
            case UploadEvent.Failed f -> results.execute(() -> sink.failed(id.get(), f.reason()));
            default -> { }
        }
    }

    @Override
    public void stop(String recordingId) {
        MeetingRecorder r = recorder;
        if (r != null) {
            r.active(recordingId).ifPresent(dev.parley.recorder.MeetingRecording::stop);
        }
    }

    @Override
    public Download download(String fileKey) {
        try {
            return switch (store.download(ObjectKey.of(fileKey), config.downloadTtl())) {
                case dev.parley.recorder.store.Download.LocalFile f -> new Download.LocalFile(f.path(), f.size());
                case dev.parley.recorder.store.Download.PresignedUrl u -> new Download.Url(u.url());
            };
        } catch (StoreException | IllegalArgumentException e) {
            throw new Unavailable(e.getMessage());
        }
    }

    /**
     * Stops every recording under way (their files are finalized and moved into the spool) and lets their results
     * reach the control plane; call before the SFU and the control plane close.
     */
    void stopRecordings() {
        recovery.shutdownNow(); // a recovery cut short is taken up again at the next start
        if (recorder != null) {
            recorder.close();
        }
        // A recording's end is handed to the results thread by a callback that may run just after its files are
        // done: wait for those hand-overs, or the shutdown below would refuse them and the result be lost.
        try {
            CompletableFuture.allOf(reporting.toArray(CompletableFuture[]::new))
                    .exceptionally(e -> null).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("recording results were not all handed over in 10 s");
        }
        results.shutdown();
        try {
            if (!results.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("recording results were not all written in 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops uploads (what is left stays in the spool for the next start) and closes the store. */
    @Override
    public void close() {
        stopRecordings();
        if (uploader != null) {
            uploader.close();
        }
        store.close();
    }
}
