package dev.parley.recorder.store;

import static dev.parley.recorder.store.RecordedEvents.content;
import static dev.parley.recorder.store.RecordedEvents.file;
import static dev.parley.recorder.store.RecordedEvents.spoolContents;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LocalDirectoryStoreTest {
    @TempDir
    Path tmp;

    @Test
    void storesReplacesStatsDownloadsAndDeletes() throws Exception {
        LocalDirectoryStore store = new LocalDirectoryStore(tmp.resolve("recordings"), 0);
        store.check();
        byte[] first = content(70_000, 1);
        byte[] second = content(50_000, 2);
        ObjectKey key = ObjectKey.of("m1/r1/meeting.webm");

        StoredObject stored = store.put(key, file(tmp.resolve("work"), "a.webm", first));
        assertEquals(tmp.resolve("recordings/m1/r1/meeting.webm").toString(), stored.location());
        assertArrayEquals(first, Files.readAllBytes(Path.of(stored.location())));
        assertTrue(Files.exists(tmp.resolve("work/a.webm")), "put leaves the source in place");

        store.put(key, file(tmp.resolve("work"), "b.webm", second));
        assertArrayEquals(second, Files.readAllBytes(tmp.resolve("recordings/m1/r1/meeting.webm")));
        assertArrayEquals(first, Files.readAllBytes(tmp.resolve("work/a.webm")), "a linked source is not altered");
        assertEquals(second.length, store.stat(key).orElseThrow().size());

        Download.LocalFile download = assertInstanceOf(Download.LocalFile.class,
                store.download(key, Duration.ofMinutes(5)));
        assertEquals(tmp.resolve("recordings/m1/r1/meeting.webm"), download.path());
        assertEquals(second.length, download.size());
        assertEquals(List.of("meeting.webm"), names(tmp.resolve("recordings/m1/r1")), "no temporary files left");

        store.delete(key);
        assertTrue(store.stat(key).isEmpty());
        store.delete(key); // deleting again is fine
        StoreException missing = assertThrows(StoreException.class, () -> store.download(key, Duration.ofMinutes(5)));
        assertEquals(StoreFailure.NOT_FOUND, missing.failure());
    }

    @Test
    void keysThatCouldLeaveTheDirectoryAreRefused() throws Exception {
        for (String bad : List.of("../escape.webm", "a/../../escape.webm", "/etc/passwd", "a//b.webm", "a/./b.webm",
                "", "a/", "a\\..\\b", "with space.webm", "nul\0.webm", "x".repeat(600))) {
            assertThrows(IllegalArgumentException.class, () -> ObjectKey.of(bad), bad);
        }
        assertEquals("meeting.webm", ObjectKey.of("m-1/r_2/meeting.webm").fileName());
        assertEquals(List.of(), names(tmp), "nothing was written");
    }

    @Test
    void aFileThatWouldGoBelowTheReserveIsRefusedAsDiskFullAndNothingIsWritten() throws Exception {
        Path root = tmp.resolve("recordings");
        Path source = file(tmp.resolve("work"), "a.webm", content(10_000, 3));
        long usable = Files.getFileStore(tmp).getUsableSpace();
        LocalDirectoryStore store = new LocalDirectoryStore(root, usable);
        StoreException full = assertThrows(StoreException.class, () -> store.put(ObjectKey.of("m/r/a.webm"), source));
        assertEquals(StoreFailure.DISK_FULL, full.failure());
        assertTrue(full.getMessage().contains("reserve"), full.getMessage());
        assertEquals(List.of(), names(root.resolve("m/r")), "no partial file");
        assertTrue(Files.exists(source));
        assertThrows(IllegalArgumentException.class, () -> new LocalDirectoryStore(root, -1));
    }

    @Test
    void aRealNoSpaceErrorIsReportedAsDiskFull() {
        IOException enospc = assertThrows(IOException.class, () -> Files.write(Path.of("/dev/full"), new byte[4096]));
        StoreException failure = DurableFiles.failure("writing", enospc);
        assertEquals(StoreFailure.DISK_FULL, failure.failure());
        assertFalse(failure.failure().retryable());
        assertEquals(StoreFailure.LOCAL_IO, DurableFiles.failure("reading", new java.nio.file.NoSuchFileException("x"))
                .failure());
    }

    @Test
    void theUploaderMovesTheFileIntoTheSpoolAndEmptiesItOnceStored() throws Exception {
        LocalDirectoryStore store = new LocalDirectoryStore(tmp.resolve("recordings"), 0);
        Path spool = tmp.resolve("spool");
        RecordedEvents events = new RecordedEvents();
        byte[] bytes = content(123_456, 4);
        Path source = file(tmp.resolve("work"), "track-1.webm", bytes);
        try (RecordingUploader uploader = RecordingUploader.start(spool, store,
                new RetryPolicy(Duration.ofMillis(10), Duration.ofMillis(10), 1), events)) {
            ObjectKey key = ObjectKey.of("m1/r1/track-1.webm");
            uploader.submit(key, source);
            assertFalse(Files.exists(source), "the file moved into the spool");
            UploadEvent.Uploaded uploaded = events.await(UploadEvent.Uploaded.class, Duration.ofSeconds(10));
            assertEquals(key, uploaded.key());
            assertArrayEquals(bytes, Files.readAllBytes(tmp.resolve("recordings/m1/r1/track-1.webm")));
            assertEquals(List.of(), spoolContents(spool));
            assertEquals(0, uploader.pending());

            assertThrows(IllegalArgumentException.class, () -> uploader.submit(key, tmp.resolve("work/none.webm")));
            assertThrows(IllegalArgumentException.class, () -> uploader.submit(key, tmp.resolve("work")));
        }
    }

    private static List<String> names(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
