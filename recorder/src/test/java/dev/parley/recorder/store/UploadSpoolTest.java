package dev.parley.recorder.store;

import static dev.parley.recorder.store.RecordedEvents.content;
import static dev.parley.recorder.store.RecordedEvents.file;
import static dev.parley.recorder.store.RecordedEvents.spoolContents;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The spool's durable records, and what a restart finds after a crash at each step. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UploadSpoolTest {
    private static final RetryPolicy ONCE = new RetryPolicy(Duration.ofMillis(10), Duration.ofMillis(10), 1);

    @TempDir
    Path tmp;

    @Test
    void aRecordRoundTripsAndLeavesNoTemporaryFile() throws Exception {
        UploadSpool spool = new UploadSpool(tmp.resolve("spool"));
        SpoolRecord record = spool.add(ObjectKey.of("m/r/a.webm"), file(tmp, "a.webm", content(1000, 1)));
        spool.save(record.withMultipartUploadId("upload=with:odd chars\nand a newline"));

        List<SpoolRecord> loaded = spool.load();
        assertEquals(List.of(record.withMultipartUploadId("upload=with:odd chars\nand a newline")), loaded);
        assertEquals(List.of(record.id() + ".data", record.id() + ".upload"), spoolContents(spool.dir()));
    }

    @Test
    void aCrashBetweenTheRecordAndTheMoveIsFinishedAtTheNextStart() throws Exception {
        Path spoolDir = tmp.resolve("spool");
        byte[] bytes = content(4000, 2);
        Path source = file(tmp.resolve("work"), "a.webm", bytes);
        ObjectKey key = ObjectKey.of("m/r/a.webm");
        // The record is durable, the file never moved in, and a half-written record copy was left behind.
        SpoolRecord record = new SpoolRecord(UUID.randomUUID().toString(), key, bytes.length, source, null,
                Instant.now());
        new UploadSpool(spoolDir).save(record);
        Files.writeString(spoolDir.resolve("." + record.id() + ".upload.tmp-" + UUID.randomUUID()), "versi");

        LocalDirectoryStore store = new LocalDirectoryStore(tmp.resolve("recordings"), 0);
        RecordedEvents events = new RecordedEvents();
        try (RecordingUploader uploader = RecordingUploader.start(spoolDir, store, ONCE, events)) {
            events.await(UploadEvent.Uploaded.class, Duration.ofSeconds(10));
        }
        assertArrayEquals(bytes, Files.readAllBytes(tmp.resolve("recordings/m/r/a.webm")));
        assertEquals(List.of(), spoolContents(spoolDir));
    }

    @Test
    void aCrashAfterTheStoreConfirmedAndTheFileWasRemovedEndsAsUploaded() throws Exception {
        Path spoolDir = tmp.resolve("spool");
        LocalDirectoryStore store = new LocalDirectoryStore(tmp.resolve("recordings"), 0);
        UploadSpool spool = new UploadSpool(spoolDir);
        ObjectKey key = ObjectKey.of("m/r/b.webm");
        SpoolRecord record = spool.add(key, file(tmp, "b.webm", content(5000, 3)));
        store.put(key, spool.data(record));
        Files.delete(spoolDir.resolve(record.id() + ".data")); // the crash came before the record was removed

        RecordedEvents events = new RecordedEvents();
        try (RecordingUploader uploader = RecordingUploader.start(spoolDir, store, ONCE, events)) {
            assertEquals(5000, events.await(UploadEvent.Uploaded.class, Duration.ofSeconds(10)).object().size());
        }
        assertEquals(List.of(), spoolContents(spoolDir));
    }

    @Test
    void aLostSpoolFileThatTheStoreNeverGotIsAClearFailure() throws Exception {
        Path spoolDir = tmp.resolve("spool");
        UploadSpool spool = new UploadSpool(spoolDir);
        SpoolRecord record = spool.add(ObjectKey.of("m/r/c.webm"), file(tmp, "c.webm", content(100, 4)));
        Files.delete(spoolDir.resolve(record.id() + ".data"));

        RecordedEvents events = new RecordedEvents();
        try (RecordingUploader uploader = RecordingUploader.start(spoolDir,
                new LocalDirectoryStore(tmp.resolve("recordings"), 0), ONCE, events)) {
            UploadEvent.Failed failed = events.await(UploadEvent.Failed.class, Duration.ofSeconds(10));
            assertEquals(StoreFailure.LOCAL_IO, failed.error().failure());
            assertTrue(failed.reason().contains("missing"), failed.reason());
        }
    }

    @Test
    void malformedRecordsAreRefusedWithTheFieldNamedAndLeftUntouched() throws Exception {
        Path spoolDir = Files.createDirectories(tmp.resolve("spool"));
        String id = UUID.randomUUID().toString();
        List<String> bad = List.of("", "version=2\n", "version=1\nid=" + id + "\n",
                "version=1\nid=" + id + "\nkey=../../etc/passwd\nsize=1\nsource=/x\ncreated=2026-01-01T00:00:00Z\n",
                "version=1\nid=" + id + "\nkey=a.webm\nsize=-5\nsource=/x\ncreated=2026-01-01T00:00:00Z\n",
                "version=1\nid=" + id + "\nkey=a.webm\nsize=1\nsource=/x\ncreated=yesterday\n",
                "version=1\nid=not-a-uuid\nkey=a.webm\nsize=1\nsource=/x\ncreated=2026-01-01T00:00:00Z\n",
                "\\u00zz");
        for (String text : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SpoolRecord.decode(text.getBytes(StandardCharsets.UTF_8)), text);
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SpoolRecord.decode(
                ("version=1\nid=" + id + "\n").getBytes(StandardCharsets.UTF_8))).getMessage().contains("'key'"));

        Path corrupt = spoolDir.resolve(id + ".upload");
        Files.writeString(corrupt, "version=1\nid=" + id + "\nkey=../x\n");
        RecordedEvents events = new RecordedEvents();
        try (RecordingUploader uploader = RecordingUploader.start(spoolDir,
                new LocalDirectoryStore(tmp.resolve("recordings"), 0), ONCE, events)) {
            assertEquals(0, uploader.pending());
        }
        assertEquals("version=1\nid=" + id + "\nkey=../x\n", Files.readString(corrupt), "left for an operator");
        assertEquals(List.of(), events.all());
    }

    @Test
    void aSecondSubmitOfAKeyStillInTheSpoolIsRefusedAndChangesNothing() throws Exception {
        Path spoolDir = tmp.resolve("spool");
        // A disk below its reserve: the first upload fails and its file stays in the spool for the next start.
        LocalDirectoryStore store = new LocalDirectoryStore(tmp.resolve("recordings"), Long.MAX_VALUE);
        RecordedEvents events = new RecordedEvents();
        ObjectKey key = ObjectKey.of("m/r/d.webm");
        try (RecordingUploader uploader = RecordingUploader.start(spoolDir, store, ONCE, events)) {
            uploader.submit(key, file(tmp, "d1.webm", content(10, 5)));
            UploadEvent.Failed failed = events.await(UploadEvent.Failed.class, Duration.ofSeconds(10));
            assertEquals(StoreFailure.DISK_FULL, failed.error().failure());
            assertEquals(1, uploader.pending());

            Path second = file(tmp, "d2.webm", content(10, 6));
            IllegalStateException refused = assertThrows(IllegalStateException.class,
                    () -> uploader.submit(key, second));
            assertTrue(refused.getMessage().contains("already pending"), refused.getMessage());
            assertTrue(Files.exists(second), "the refused file was not taken");
            assertEquals(2, spoolContents(spoolDir).size(), "one record and its file");
        }
    }

    @Test
    void aSpoolThatCannotTakeTheFileIsATypedFailureAndTheFileStaysWhereItWas() throws Exception {
        Path spoolDir = tmp.resolve("spool");
        RecordedEvents events = new RecordedEvents();
        Path source = file(tmp.resolve("work"), "e.webm", content(100, 7));
        try (RecordingUploader uploader = RecordingUploader.start(spoolDir,
                new LocalDirectoryStore(tmp.resolve("recordings"), 0), ONCE, events)) {
            Files.delete(spoolDir); // the spool directory vanished (unmounted disk, operator error)
            Files.writeString(spoolDir, "not a directory");
            StoreException refused = assertThrows(StoreException.class,
                    () -> uploader.submit(ObjectKey.of("m/r/e.webm"), source));
            assertEquals(StoreFailure.LOCAL_IO, refused.failure());
            assertTrue(refused.getMessage().contains("spool"), refused.getMessage());
            assertTrue(Files.exists(source), "the file was not taken");
            assertEquals(0, uploader.pending());
        }
        StoreException unusable = assertThrows(StoreException.class, () -> RecordingUploader.start(spoolDir,
                new LocalDirectoryStore(tmp.resolve("recordings"), 0), ONCE, events));
        assertEquals(StoreFailure.LOCAL_IO, unusable.failure());
    }
}
