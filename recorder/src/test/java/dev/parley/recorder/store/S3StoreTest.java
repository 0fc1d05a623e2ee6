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

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The S3 store and the uploader against a real S3 server (S3Proxy) on 127.0.0.1. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class S3StoreTest {
    private static final String BUCKET = "recordings";
    private static final long PART = S3Settings.MIN_PART_SIZE;
    /** Three parts, the last one short. */
    private static final int MULTIPART_SIZE = (int) (2 * PART + 123_457);
    private static final RetryPolicy FAST_RETRY = new RetryPolicy(Duration.ofMillis(50), Duration.ofMillis(400), 40);

    private static S3ProxyServer s3;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startS3() throws Exception {
        s3 = S3ProxyServer.start(BUCKET);
    }

    @AfterAll
    static void stopS3() throws Exception {
        s3.close();
    }

    private S3Store store() {
        return new S3Store(s3.settings(BUCKET).withPartSize(PART));
    }

    @Test
    void smallAndMultipartFilesReadBackByteIdentical() throws Exception {
        byte[] small = content(100_000, 1);
        byte[] large = content(MULTIPART_SIZE, 2);
        try (S3Store store = store()) {
            store.check();
            StoredObject a = store.put(ObjectKey.of("rt/m1/r1/small.webm"), file(tmp, "small.webm", small));
            StoredObject b = store.put(ObjectKey.of("rt/m1/r1/large.webm"), file(tmp, "large.webm", large));

            assertEquals(small.length, a.size());
            assertEquals(large.length, b.size());
            assertEquals("s3://recordings/rt/m1/r1/large.webm", b.location());
            assertArrayEquals(small, s3.read(BUCKET, "rt/m1/r1/small.webm"));
            assertArrayEquals(large, s3.read(BUCKET, "rt/m1/r1/large.webm"));
            assertEquals("video/webm", s3.contentType(BUCKET, "rt/m1/r1/large.webm"));
            assertEquals(List.of("rt/m1/r1/large.webm", "rt/m1/r1/small.webm"), s3.keys(BUCKET, "rt/"));
            assertEquals(large.length, store.stat(ObjectKey.of("rt/m1/r1/large.webm")).orElseThrow().size());
            assertTrue(store.stat(ObjectKey.of("rt/m1/r1/none.webm")).isEmpty());
            assertTrue(Files.exists(tmp.resolve("large.webm")), "put leaves the source file alone");
        }
    }

    @Test
    void presignedUrlDownloadsTheObjectUntilItExpiresAndOnlyThatObject() throws Exception {
        byte[] bytes = content(300_000, 3);
        ObjectKey key = ObjectKey.of("presign/meeting.webm");
        try (S3Store store = store(); HttpClient http = HttpClient.newHttpClient()) {
            store.put(key, file(tmp, "m.webm", bytes));
            Instant before = Instant.now();
            Download download = store.download(key, Duration.ofMinutes(10));
            Download.PresignedUrl presigned = assertInstanceOf(Download.PresignedUrl.class, download);
            assertTrue(!presigned.expiresAt().isBefore(before.plus(Duration.ofMinutes(10)))
                    && presigned.expiresAt().isBefore(Instant.now().plus(Duration.ofMinutes(10)).plusSeconds(1)));

            HttpResponse<byte[]> ok = http.send(HttpRequest.newBuilder(presigned.url()).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, ok.statusCode());
            assertArrayEquals(bytes, ok.body());

            // The signature covers the key: pointing the URL at another object is refused.
            URI other = URI.create(presigned.url().toString().replace("presign/meeting.webm", "rt/m1/r1/small.webm"));
            HttpResponse<String> forged = http.send(HttpRequest.newBuilder(other).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(403, forged.statusCode(), forged.body());

            // A URL that has expired is refused too.
            Download.PresignedUrl shortLived = (Download.PresignedUrl) store.download(key, Duration.ofSeconds(1));
            Instant deadline = Instant.now().plusSeconds(10);
            int status = 200;
            while (status == 200 && Instant.now().isBefore(deadline)) {
                status = http.send(HttpRequest.newBuilder(shortLived.url()).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status == 200) {
                    Thread.sleep(200);
                }
            }
            assertEquals(403, status);

            // Browsers may reach the store by another name than the server does: the URL carries that name.
            URI publicEndpoint = URI.create("http://localhost:" + s3.endpoint().getPort());
            try (S3Store behindAName = new S3Store(s3.settings(BUCKET).withPublicEndpoint(publicEndpoint))) {
                URI url = ((Download.PresignedUrl) behindAName.download(key, Duration.ofMinutes(1))).url();
                assertEquals("localhost", url.getHost());
                HttpResponse<byte[]> viaPublic = http.send(HttpRequest.newBuilder(url).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertEquals(200, viaPublic.statusCode());
                assertArrayEquals(bytes, viaPublic.body());
            }

            StoreException missing = assertThrows(StoreException.class,
                    () -> store.download(ObjectKey.of("presign/none.webm"), Duration.ofMinutes(1)));
            assertEquals(StoreFailure.NOT_FOUND, missing.failure());
            assertThrows(IllegalArgumentException.class, () -> store.download(key, Duration.ofDays(8)));
            assertThrows(IllegalArgumentException.class, () -> store.download(key, Duration.ZERO));
        }
    }

    @Test
    void refusedCredentialsAndMissingBucketAreClearFailuresThatAreNotRetried() throws Exception {
        String wrongSecret = "not-the-secret-0123456789";
        S3Settings wrong = s3.settings(BUCKET).withPartSize(PART).withCredentials(S3ProxyServer.ACCESS_KEY, wrongSecret);
        try (S3Store store = new S3Store(wrong)) {
            StoreException refused = assertThrows(StoreException.class, store::check);
            assertEquals(StoreFailure.CREDENTIALS_REFUSED, refused.failure());
            assertTrue(refused.getMessage().contains(S3ProxyServer.ACCESS_KEY), refused.getMessage());
            assertFalse(refused.getMessage().contains(wrongSecret), "the secret never appears in a message");
            assertFalse(store.describe().contains(wrongSecret));
            assertFalse(wrong.toString().contains(wrongSecret));

            RecordedEvents events = new RecordedEvents();
            Path spool = tmp.resolve("spool");
            try (RecordingUploader uploader = RecordingUploader.start(spool, store, FAST_RETRY, events)) {
                uploader.submit(ObjectKey.of("refused/a.webm"), file(tmp, "a.webm", content(1000, 4)));
                UploadEvent.Failed failed = events.await(UploadEvent.Failed.class, Duration.ofSeconds(20));
                assertEquals(StoreFailure.CREDENTIALS_REFUSED, failed.error().failure());
                assertEquals(1, failed.attempts(), "a refusal is not retried");
                assertTrue(failed.reason().contains("credentials"), failed.reason());
                assertTrue(events.of(UploadEvent.AttemptFailed.class).isEmpty());
            }
            // Nothing is lost: the file and its record stay in the spool for the next start.
            assertEquals(2, spoolContents(spool).size(), spoolContents(spool).toString());
        }
        try (S3Store store = new S3Store(s3.settings(BUCKET).withCredentials("nobody", wrongSecret))) {
            assertEquals(StoreFailure.CREDENTIALS_REFUSED, assertThrows(StoreException.class, store::check).failure());
        }
        try (S3Store store = new S3Store(s3.settings("no-such-bucket"))) {
            StoreException missing = assertThrows(StoreException.class, store::check);
            assertEquals(StoreFailure.BUCKET_MISSING, missing.failure());
            assertTrue(missing.getMessage().contains("no-such-bucket"), missing.getMessage());
            StoreException put = assertThrows(StoreException.class,
                    () -> store.put(ObjectKey.of("x.webm"), file(tmp, "x.webm", content(10, 5))));
            assertEquals(StoreFailure.BUCKET_MISSING, put.failure());
        }
        assertTrue(s3.keys(BUCKET, "refused/").isEmpty());
    }

    @Test
    void anOutageDuringAMultipartUploadEndsWithTheObjectUploadedOnceAndTheSpoolEmpty() throws Exception {
        byte[] bytes = content(MULTIPART_SIZE, 6);
        ObjectKey key = ObjectKey.of("outage/m2/r1/meeting.webm");
        Path spool = tmp.resolve("spool");
        RecordedEvents events = new RecordedEvents();
        // The store goes away right after it confirmed the first part: the next part meets a closed port.
        CountDownLatch stopped = new CountDownLatch(1);
        events.onEvent(e -> {
            if (e instanceof UploadEvent.PartUploaded p && p.part() == 1 && stopped.getCount() > 0) {
                try {
                    s3.stop();
                } catch (Exception ex) {
                    throw new IllegalStateException(ex);
                }
                stopped.countDown();
            }
        });
        try (S3Store store = store();
             RecordingUploader uploader = RecordingUploader.start(spool, store, FAST_RETRY, events)) {
            uploader.submit(key, file(tmp, "meeting.webm", bytes));
            assertTrue(stopped.await(30, TimeUnit.SECONDS), "first part uploaded");
            try {
                UploadEvent.AttemptFailed failed = events.await(UploadEvent.AttemptFailed.class,
                        f -> f.attempt() >= 3, Duration.ofSeconds(20));
                assertEquals(StoreFailure.UNREACHABLE, failed.error().failure());
                assertEquals(1, uploader.pending());
                assertEquals(2, spoolContents(spool).size(), "file and record wait in the spool");
            } finally {
                s3.restart();
            }
            UploadEvent.Uploaded uploaded = events.await(UploadEvent.Uploaded.class, Duration.ofSeconds(30));
            assertEquals(bytes.length, uploaded.object().size());
            assertEquals(0, uploader.pending());
        }
        assertEquals(List.of(key.value()), s3.keys(BUCKET, "outage/"), "one object, no duplicate");
        assertArrayEquals(bytes, s3.read(BUCKET, key.value()));
        assertEquals(0, s3.unfinishedMultipartUploads(BUCKET), "the multipart upload was completed, not restarted");
        assertEquals(List.of(), spoolContents(spool));
        // Part 1 was sent once: the retries continued the same multipart upload.
        assertEquals(1, events.of(UploadEvent.PartUploaded.class).stream().filter(p -> p.part() == 1).count());
        assertEquals(3, events.of(UploadEvent.PartUploaded.class).size());
    }

    @Test
    void aRestartedUploaderResumesAPendingMultipartUploadFromTheStoredParts() throws Exception {
        byte[] bytes = content(MULTIPART_SIZE, 7);
        ObjectKey key = ObjectKey.of("resume/m3/r1/meeting.webm");
        Path spool = tmp.resolve("spool");
        RecordedEvents first = new RecordedEvents();
        CountDownLatch firstPart = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        first.onEvent(e -> {
            if (e instanceof UploadEvent.PartUploaded p && p.part() == 1) {
                firstPart.countDown();
                try {
                    release.await(); // hold the upload here until the "crash"
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        try (S3Store store = store()) {
            RecordingUploader before = RecordingUploader.start(spool, store, FAST_RETRY, first);
            before.submit(key, file(tmp, "meeting.webm", bytes));
            assertTrue(firstPart.await(30, TimeUnit.SECONDS));
            before.close(); // interrupts the worker held in the listener: the upload stops after part 1
            release.countDown();
        }
        assertTrue(first.of(UploadEvent.Uploaded.class).isEmpty());
        assertTrue(s3.keys(BUCKET, "resume/").isEmpty(), "nothing visible before completion");
        assertEquals(2, spoolContents(spool).size());
        String record = Files.readString(spool.resolve(spoolContents(spool).get(1)));
        assertTrue(record.contains("multipart-upload-id="), record);

        RecordedEvents second = new RecordedEvents();
        try (S3Store store = store();
             RecordingUploader after = RecordingUploader.start(spool, store, FAST_RETRY, second)) {
            assertEquals(1, after.pending());
            second.await(UploadEvent.Uploaded.class, Duration.ofSeconds(30));
        }
        assertEquals(List.of(2, 3), second.of(UploadEvent.PartUploaded.class).stream()
                .map(UploadEvent.PartUploaded::part).toList(), "part 1 is not sent again");
        assertEquals(List.of(key.value()), s3.keys(BUCKET, "resume/"));
        assertArrayEquals(bytes, s3.read(BUCKET, key.value()));
        assertEquals(List.of(), spoolContents(spool));
    }

    @Test
    void anUploadThatLandedBeforeACrashIsNotSentAgain() throws Exception {
        byte[] bytes = content(200_000, 8);
        ObjectKey key = ObjectKey.of("landed/meeting.webm");
        Path spool = tmp.resolve("spool");
        // The state a crash leaves between "store confirmed" and "spool cleared": the record and its file remain.
        UploadSpool kept = new UploadSpool(spool);
        SpoolRecord record = kept.add(key, file(tmp, "meeting.webm", bytes));
        try (S3Store store = store()) {
            store.upload(key, kept.data(record), new TaggedProgress(record.id()));
            // Mark the spool copy (same size) so that a second upload would show in the stored object.
            Files.write(kept.data(record), content(bytes.length, 9));
            RecordedEvents events = new RecordedEvents();
            try (RecordingUploader uploader = RecordingUploader.start(spool, store, FAST_RETRY, events)) {
                events.await(UploadEvent.Uploaded.class, Duration.ofSeconds(20));
            }
        }
        assertArrayEquals(bytes, s3.read(BUCKET, key.value()), "the object was not written again");
        assertEquals(List.of(key.value()), s3.keys(BUCKET, "landed/"));
        assertEquals(List.of(), spoolContents(spool));
    }

    private record TaggedProgress(String tag) implements UploadProgress {
        @Override
        public String multipartUploadId() {
            return null;
        }

        @Override
        public void multipartStarted(String uploadId) {
        }

        @Override
        public void partUploaded(int part, int parts) {
        }
    }
}
