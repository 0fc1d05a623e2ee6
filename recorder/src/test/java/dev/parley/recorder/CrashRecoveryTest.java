package dev.parley.recorder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.recorder.compose.FfmpegTools;
import dev.parley.recorder.compose.TrackFileCondition;
import dev.parley.recorder.media.RecordedTracks;
import dev.parley.recorder.store.LocalDirectoryStore;
import dev.parley.recorder.store.ObjectKey;
import dev.parley.recorder.store.RecordingUploader;
import dev.parley.recorder.store.RetryPolicy;
import dev.parley.recorder.store.UploadEvent;
import dev.parley.sfu.MediaKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files a crash left in a recording's work directory: a camera cut off mid-cluster is repaired, a voice that
 * ended before the crash is kept as it is, an empty file is reported, and what could be kept reaches the store.
 */
class CrashRecoveryTest {
    @TempDir
    Path dir;

    @Test
    void theFilesACrashLeftAreFinalizedAndStored() throws Exception {
        RecordedTracks recorded = new RecordedTracks(Files.createDirectories(dir.resolve("media")));
        Path work = dir.resolve("work");
        Path rec = Files.createDirectories(work.resolve("rec-1"));
        long frames = recorded.camera(dir.resolve("camera-full.webm"), 0, 4000, rec.resolve("track-1-video.webm"));
        recorded.voice(rec.resolve("track-2-audio.webm"), 0, 2000);
        Files.createFile(rec.resolve("track-3-video.webm")); // opened, nothing written before the crash
        Files.writeString(rec.resolve("notes.txt"), "not a track file");
        assertEquals(TrackFileCondition.TRUNCATED, TrackFileCondition.of(rec.resolve("track-1-video.webm")));

        Map<ObjectKey, Long> stored = new ConcurrentHashMap<>();
        LocalDirectoryStore store = new LocalDirectoryStore(dir.resolve("store"), 0);
        try (RecordingUploader uploader = RecordingUploader.start(dir.resolve("spool"), store, RetryPolicy.DEFAULT,
                e -> {
                    if (e instanceof UploadEvent.Uploaded u) {
                        stored.put(u.key(), u.object().size());
                    }
                })) {
            RecordingManifest m = new CrashRecovery(work, uploader, FfmpegTools.onPath())
                    .recover("rec-1", Instant.EPOCH);

            assertEquals(3, m.tracks().size(), m.toString());
            RecordedTrack camera = m.tracks().get(0);
            assertEquals(MediaKind.VIDEO, camera.kind());
            assertEquals("VP8", camera.codec());
            assertTrue(camera.truncated(), "cut off by the crash");
            assertNull(camera.failure());
            assertEquals(MeetingRecorder.keyOf("rec-1", "track-1-video.webm"), camera.fileKey());
            double written = frames / 30.0 * 1000;
            assertTrue(camera.endMillis() <= written + 50 && camera.endMillis() >= written - 1000,
                    camera.endMillis() + " ms recovered of " + written + " ms written");

            RecordedTrack voice = m.tracks().get(1);
            assertFalse(voice.truncated(), "it ended before the crash: " + voice);
            assertEquals(2000, voice.endMillis(), 100);
            assertNotNull(voice.fileKey());

            RecordedTrack empty = m.tracks().get(2);
            assertNull(empty.fileKey());
            assertEquals("nothing playable was written before the crash", empty.failure());
            assertEquals(camera.endMillis(), m.durationMillis());

            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (stored.size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(Map.of(camera.fileKey(), camera.bytes(), voice.fileKey(), voice.bytes()), stored);
            assertFalse(Files.exists(rec.resolve("track-1-video.webm")), "the crashed copy is gone once stored");
            assertTrue(Files.exists(rec.resolve("track-3-video.webm")), "what could not be kept stays");
        }
    }

    @Test
    void aRecordingThatLeftNoDirectoryHasNoTracksAndAMalformedIdIsRefused() throws Exception {
        LocalDirectoryStore store = new LocalDirectoryStore(dir.resolve("store"), 0);
        try (RecordingUploader uploader = RecordingUploader.start(dir.resolve("spool"), store, RetryPolicy.DEFAULT,
                e -> { })) {
            CrashRecovery recovery = new CrashRecovery(dir.resolve("work"), uploader, FfmpegTools.onPath());
            assertEquals(0, recovery.recover("never-wrote", Instant.EPOCH).tracks().size());
            Files.createDirectories(dir.resolve("outside"));
            Files.writeString(dir.resolve("outside/track-1-audio.webm"), "x");
            assertThrows(IllegalArgumentException.class, () -> recovery.recover("../outside", Instant.EPOCH));
            assertTrue(Files.exists(dir.resolve("outside/track-1-audio.webm")), "nothing outside the work root");
        }
    }
}
