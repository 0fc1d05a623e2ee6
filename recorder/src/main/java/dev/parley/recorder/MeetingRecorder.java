package dev.parley.recorder;

import dev.parley.recorder.compose.FfmpegTools;
import dev.parley.recorder.compose.MeetingFileComposer;
import dev.parley.recorder.compose.MeetingFileSettings;
import dev.parley.recorder.media.MediaSettings;
import dev.parley.recorder.store.ObjectKey;
import dev.parley.recorder.store.RecordingUploader;
import dev.parley.sfu.Room;
import dev.parley.sfu.tap.TapOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records meetings: {@link #start} opens a track tap on a room and writes one file per published track into a
 * work directory; {@link MeetingRecording#stop()} finalizes the files, makes the meeting file from them with
 * ffmpeg (or notes why there is none, see {@link MeetingFile}) and hands them all to the
 * {@link RecordingUploader}, which stores them under {@code recordings/<recording id>/<file>}.
 *
 * <p>Nothing here runs on a media thread: packets are written on each tap's own thread, and one executor thread
 * of this recorder ticks the track recorders. No HTTP, SQL or JSON: the control plane decides who may record and
 * keeps the {@link RecordingManifest}.
 */
public final class MeetingRecorder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MeetingRecorder.class);
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final String KEY_PREFIX = "recordings/";
    /** How often the track recorders release packets past their jitter deadline and flush quiet tracks. */
    static final Duration TICK = Duration.ofMillis(50);

    private final Path workRoot;
    private final RecordingUploader uploader;
    private final MediaSettings settings;
    private final TapOptions tapOptions;
    private final MeetingFileComposer composer;
    private final ScheduledThreadPoolExecutor executor;
    private final Map<String, MeetingRecording> active = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * @param workRoot where files are written while recording, one directory per recording (created if missing);
     *     best on the same disk as the uploader's spool, so handing a file over is a rename
     * @param uploader takes the finished files; the caller keeps ownership and closes it after this recorder
     * @param tapOptions each recording's tap queue; its thread factory is ignored (a tap runs on a thread of its own)
     */
    public MeetingRecorder(Path workRoot, RecordingUploader uploader, MediaSettings settings, TapOptions tapOptions) {
        this(workRoot, uploader, settings, tapOptions,
                new MeetingFileComposer(FfmpegTools.onPath(), MeetingFileSettings.defaults()));
    }

    /**
     * @param composer makes each recording's meeting file when it ends (ffmpeg runs on the recording's tap thread)
     */
    public MeetingRecorder(Path workRoot, RecordingUploader uploader, MediaSettings settings, TapOptions tapOptions,
            MeetingFileComposer composer) {
        this.composer = java.util.Objects.requireNonNull(composer, "composer");
        this.workRoot = workRoot.toAbsolutePath().normalize();
        this.uploader = uploader;
        this.settings = settings;
        this.tapOptions = TapOptions.withQueue(tapOptions.queuePackets());
        this.executor = new ScheduledThreadPoolExecutor(1,
                r -> Thread.ofPlatform().daemon().name("parley-recorder-tick").unstarted(r));
        executor.setRemoveOnCancelPolicy(true);
    }

    /**
     * Starts recording {@code room}: every track published there now or later, until the recording is stopped or
     * the room closes.
     *
     * @param recordingId names the recording and its files: 1-64 letters, digits, {@code _} or {@code -}
     * @return completes when the tap is open; exceptionally when the room has closed
     * @throws IllegalArgumentException for a malformed id
     * @throws IllegalStateException when a recording with this id is under way, or the recorder is closed
     */
    public CompletableFuture<MeetingRecording> start(Room room, String recordingId) {
        if (recordingId == null || !ID.matcher(recordingId).matches()) {
            throw new IllegalArgumentException("a recording id is 1-64 letters, digits, _ or -");
        }
        if (closed) {
            throw new IllegalStateException("the recorder is closed");
        }
        Path dir = workRoot.resolve(recordingId);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the recording directory " + dir, e);
        }
        MeetingRecording recording = new MeetingRecording(recordingId, room.name(), dir, uploader, settings,
                composer);
        if (active.putIfAbsent(recordingId, recording) != null) {
            throw new IllegalStateException("recording " + recordingId + " is already under way");
        }
        recording.finished().whenComplete((m, e) -> active.remove(recordingId, recording));
        ScheduledFuture<?> ticks = executor.scheduleWithFixedDelay(recording::tick, TICK.toMillis(), TICK.toMillis(),
                TimeUnit.MILLISECONDS);
        CompletableFuture<MeetingRecording> opened = new CompletableFuture<>();
        room.addTap(recording.listener, tapOptions).whenComplete((tap, error) -> {
            if (error != null) {
                recording.tapFailed(error, ticks);
                opened.completeExceptionally(error);
            } else {
                recording.tapOpened(tap, ticks);
                opened.complete(recording);
            }
        });
        LOG.info("Recording {} of room {} started", recordingId, room.name());
        return opened;
    }

    /** The recording under way with this id, if any. */
    public Optional<MeetingRecording> active(String recordingId) {
        return Optional.ofNullable(active.get(recordingId));
    }

    /** The key a recording's file is stored under. */
    public static ObjectKey keyOf(String recordingId, String fileName) {
        return ObjectKey.of(KEY_PREFIX + recordingId + "/" + fileName);
    }

    /** The recording a stored file belongs to (for the uploader's events), empty for keys of other files. */
    public static Optional<String> recordingIdOf(ObjectKey key) {
        String v = key.value();
        if (!v.startsWith(KEY_PREFIX)) {
            return Optional.empty();
        }
        int slash = v.indexOf('/', KEY_PREFIX.length());
        return slash < 0 ? Optional.empty() : Optional.of(v.substring(KEY_PREFIX.length(), slash));
    }

    /**
     * Stops every recording under way and waits (up to {@code timeout} in all) until their files are in the
     * upload spool (making a meeting file may take longer than the wait); part of the server's ordered shutdown, before the SFU closes.
     */
    public void stopAll(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (MeetingRecording r : active.values()) {
            r.stop();
        }
        for (MeetingRecording r : active.values()) {
            try {
                r.finished().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                LOG.warn("Recording {} did not finish its files in time", r.id());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (java.util.concurrent.ExecutionException e) {
                LOG.warn("Recording {} ended with an error: {}", r.id(), e.getCause().toString());
            }
        }
    }

    /** Stops every recording (waiting up to 10 s for their files) and the recorder's thread. */
    @Override
    public void close() {
        closed = true;
        stopAll(Duration.ofSeconds(10));
        executor.shutdownNow();
    }
}
