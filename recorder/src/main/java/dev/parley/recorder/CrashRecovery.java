package dev.parley.recorder;

import dev.parley.recorder.compose.FfmpegTools;
import dev.parley.recorder.compose.RepairOutcome;
import dev.parley.recorder.compose.TrackFileCondition;
import dev.parley.recorder.compose.TruncatedRecordingRepair;
import dev.parley.recorder.store.ObjectKey;
import dev.parley.recorder.store.RecordingUploader;
import dev.parley.recorder.store.StoreException;
import dev.parley.sfu.MediaKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finishes, after a restart, a recording that a crash ({@code kill -9}, power loss) cut off: its per-track files in
 * the work directory end at their last flushed cluster. Each is finalized ({@link TruncatedRecordingRepair}; a file
 * that was finalized already is taken as it is) and handed to the uploader under the key a stop would have used.
 * Blocking (ffmpeg remuxes each file): call it from a worker thread, never a media thread.
 *
 * <p>Who published a track is not written in its file, so a recovered track has no participant; its kind and
 * codec come from the file name, and it starts at 0 and ends at the duration recovered.
 */
public final class CrashRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(CrashRecovery.class);
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    /** The names {@link MeetingRecording} gives its per-track files. */
    private static final Pattern TRACK_FILE = Pattern.compile("track-(\\d{1,9})-(audio|video)\\.(webm|mkv)");
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(30);

    private final Path workRoot;
    private final RecordingUploader uploader;
    private final FfmpegTools tools;
    private final TruncatedRecordingRepair repair;

    /** @param workRoot the {@link MeetingRecorder}'s work directory, holding one directory per recording */
    public CrashRecovery(Path workRoot, RecordingUploader uploader, FfmpegTools tools) {
        this.workRoot = workRoot.toAbsolutePath().normalize();
        this.uploader = uploader;
        this.tools = tools;
        this.repair = new TruncatedRecordingRepair(tools);
    }

    /**
     * Finalizes and hands on the files recording {@code recordingId} left. The manifest lists every track file
     * found, with a {@code fileKey} for those handed to the uploader and a {@code failure} for the others; it has
     * no tracks when the recording left no file (nothing was written before the crash).
     *
     * @throws IllegalArgumentException for a malformed id
     */
    public RecordingManifest recover(String recordingId, Instant startedAt) {
        if (recordingId == null || !ID.matcher(recordingId).matches()) {
            throw new IllegalArgumentException("a recording id is 1-64 letters, digits, _ or -");
        }
        Path dir = workRoot.resolve(recordingId);
        List<RecordedTrack> tracks = new ArrayList<>();
        for (Path file : trackFiles(dir)) {
            tracks.add(recoverOne(recordingId, file));
        }
        try {
            Files.deleteIfExists(dir); // only when empty: a file that could not be kept stays for an operator
        } catch (IOException e) {
            LOG.info("Recording {}: {} keeps files that could not be recovered", recordingId, dir);
        }
        long duration = tracks.stream().mapToLong(RecordedTrack::endMillis).max().orElse(0);
        return new RecordingManifest(recordingId, "", startedAt, duration, 0, tracks);
    }

    private static List<Path> trackFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> Files.isRegularFile(p) && TRACK_FILE.matcher(p.getFileName().toString()).matches())
                    .sorted(Comparator.comparingInt(CrashRecovery::indexOf)).toList();
        } catch (IOException e) {
            LOG.warn("Cannot list the crashed recording's directory {}: {}", dir, e.toString());
            return List.of();
        }
    }

    private static int indexOf(Path p) {
        Matcher m = TRACK_FILE.matcher(p.getFileName().toString());
        return m.matches() ? Integer.parseInt(m.group(1)) : Integer.MAX_VALUE;
    }

    private RecordedTrack recoverOne(String recordingId, Path file) {
        String name = file.getFileName().toString();
        Matcher m = TRACK_FILE.matcher(name);
        m.matches();
        MediaKind kind = m.group(2).equals("audio") ? MediaKind.AUDIO : MediaKind.VIDEO;
        String codec = kind == MediaKind.AUDIO ? "opus" : m.group(3).equals("mkv") ? "H264" : "VP8";
        String trackId = name.substring(0, name.indexOf('.'));
        Path keep = null;
        long duration = 0;
        String failure = null;
        boolean cut = true;
        try {
            switch (TrackFileCondition.of(file)) {
                case FINALIZED -> { // the track ended before the crash
                    cut = false;
                    keep = file;
                    duration = Math.max(0, probe(file));
                }
                case TRUNCATED -> {
                    RepairOutcome outcome = repair.repair(file, file.resolveSibling(name + ".repaired"));
                    switch (outcome) {
                        case RepairOutcome.Repaired r -> {
                            keep = r.file();
                            duration = r.durationMillis();
                        }
                        case RepairOutcome.NotNeeded n -> {
                            keep = file;
                            duration = Math.max(0, probe(file));
                        }
                        case RepairOutcome.FfmpegMissing f -> keep = file; // plays, without a duration
                        case RepairOutcome.Failed f -> failure = f.reason();
                    }
                }
                case UNREADABLE -> failure = "nothing playable was written before the crash";
            }
        } catch (IOException e) {
            failure = "cannot read the file: " + e.getMessage();
        }
        ObjectKey key = null;
        long bytes = 0;
        if (keep != null) {
            ObjectKey candidate = MeetingRecorder.keyOf(recordingId, name);
            try {
                bytes = Files.size(keep);
                uploader.submit(candidate, keep);
                key = candidate;
                if (!keep.equals(file)) {
                    Files.deleteIfExists(file); // the repaired copy is in the spool now
                }
            } catch (StoreException | IOException | RuntimeException e) {
                LOG.warn("Recording {}: recovered file {} could not be handed to the uploader: {}", recordingId,
                        keep, e.toString());
                failure = "the recovered file could not be kept: " + e.getMessage();
                bytes = 0;
            }
        }
        LOG.info("Recording {}: {} {}", recordingId, name, key != null
                ? "recovered, " + duration + " ms" : "not recovered: " + failure);
        return new RecordedTrack(trackId, null, null, kind, codec, 0, duration, key, bytes, cut, failure);
    }

    private long probe(Path file) {
        if (!tools.installed()) {
            return -1;
        }
        try {
            return tools.probeDurationMillis(file, PROBE_TIMEOUT);
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
