package dev.parley.recorder.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves finished recording files into the spool and uploads them to a {@link RecordingStore} in the background:
 * bounded exponential backoff on retryable failures, immediate {@link UploadEvent.Failed} on the others, the spool
 * copy removed only after the store confirmed the object. {@link #start} resumes what an earlier run left.
 *
 * <p>Events are delivered on the uploader's threads; a listener should hand them off rather than block.
 */
public final class RecordingUploader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RecordingUploader.class);
    private static final int THREADS = 2;

    private final UploadSpool spool;
    private final RecordingStore store;
    private final RetryPolicy retry;
    private final Consumer<UploadEvent> listener;
    private final ScheduledThreadPoolExecutor executor;
    private final Map<ObjectKey, SpoolRecord> pending = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private RecordingUploader(UploadSpool spool, RecordingStore store, RetryPolicy retry,
                              Consumer<UploadEvent> listener) {
        this.spool = spool;
        this.store = store;
        this.retry = retry;
        this.listener = listener;
        AtomicInteger n = new AtomicInteger();
        this.executor = new ScheduledThreadPoolExecutor(THREADS, r -> Thread.ofPlatform().daemon()
                .name("parley-recording-upload-" + n.incrementAndGet()).unstarted(r));
        executor.setRemoveOnCancelPolicy(true);
    }

    /**
     * Opens the spool (created if missing) and resumes every upload recorded in it.
     *
     * @param spoolDir a directory only this uploader uses, on a disk with room for the recordings in flight
     * @param store where files go; the caller keeps ownership (closes it after this uploader)
     */
    public static RecordingUploader start(Path spoolDir, RecordingStore store, RetryPolicy retry,
                                          Consumer<UploadEvent> listener) throws StoreException {
        RecordingUploader uploader;
        List<SpoolRecord> records;
        try {
            uploader = new RecordingUploader(new UploadSpool(spoolDir), store, retry, listener);
            records = uploader.spool.load();
        } catch (IOException e) {
            throw DurableFiles.failure("cannot open the recording upload spool " + spoolDir, e);
        }
        for (SpoolRecord record : records) {
            if (uploader.pending.putIfAbsent(record.key(), record) == null) {
                LOG.info("Resuming the upload of {} to {}", record.key(), store.describe());
                uploader.schedule(record.key(), 1, Duration.ZERO);
            } else {
                LOG.warn("Spool record {} is a second pending upload of {}; left for an operator", record.id(),
                        record.key());
            }
        }
        return uploader;
    }

    /**
     * Hands a finished file over: it moves into the spool (durably, before this returns) and uploads in the
     * background. The file must not change afterwards.
     *
     * @throws IllegalArgumentException if {@code file} is not a regular file
     * @throws IllegalStateException if a file for {@code key} is already in the spool (even a failed one: it is
     *     retried at the next start) or the uploader is closed
     * @throws StoreException if the spool cannot take the file: {@link StoreFailure#DISK_FULL} or
     *     {@link StoreFailure#LOCAL_IO} (the file stays where it was then)
     */
    public void submit(ObjectKey key, Path file) throws StoreException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("not a regular file: " + file);
        }
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the recording uploader is closed");
            }
            if (pending.containsKey(key)) {
                throw new IllegalStateException("an upload of " + key + " is already pending in " + spool.dir());
            }
            try {
                pending.put(key, spool.add(key, file));
            } catch (IOException e) {
                throw DurableFiles.failure("cannot take " + file + " into the upload spool " + spool.dir(), e);
            }
        }
        schedule(key, 1, Duration.ZERO);
    }

    /**
     * How many files wait in the spool: being uploaded, waiting for a retry, or failed and kept for the next start.
     */
    public int pending() {
        return pending.size();
    }

    public Path spoolDirectory() {
        return spool.dir();
    }

    /**
     * Stops uploading; uploads under way stop between requests and stay in the spool for the next start.
     */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("Recording uploads did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void schedule(ObjectKey key, int attempt, Duration delay) {
        try {
            executor.schedule(() -> attempt(key, attempt), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing: the record stays in the spool
        }
    }

    private void attempt(ObjectKey key, int attempt) {
        SpoolRecord record = pending.get(key);
        if (record == null || closed) {
            return;
        }
        try {
            Path data = spool.data(record);
            StoredObject stored = data == null ? afterLostFile(record) : store.upload(key, data, progress(key));
            finish(record);
            pending.remove(key);
            emit(new UploadEvent.Uploaded(key, stored, attempt));
        } catch (StoreException e) {
            if (closed) {
                return;
            }
            if (e.failure().retryable() && attempt < retry.maxAttempts()) {
                Duration delay = retry.delayAfter(attempt);
                LOG.info("Upload of {} failed (attempt {}), retrying in {} ms: {}", key, attempt, delay.toMillis(),
                        e.getMessage());
                emit(new UploadEvent.AttemptFailed(key, attempt, e, delay));
                schedule(key, attempt + 1, delay);
            } else {
                LOG.warn("Upload of {} failed after {} attempt(s); the file stays in {}: {}", key, attempt,
                        spool.dir(), e.getMessage());
                emit(new UploadEvent.Failed(key, e, attempt));
            }
        } catch (IOException e) {
            emit(new UploadEvent.Failed(key, DurableFiles.failure("spool " + spool.dir(), e), attempt));
        } catch (InterruptedException e) {
            // closing: the record (with its multipart upload id) stays for the next start
        } catch (RuntimeException e) {
            LOG.error("Upload of {} failed unexpectedly", key, e);
            emit(new UploadEvent.Failed(key, new StoreException(StoreFailure.REJECTED, e.toString(), e), attempt));
        }
    }

    /** The spool file is gone: either a crash came after the store confirmed it, or the file was lost. */
    private StoredObject afterLostFile(SpoolRecord record) throws StoreException, IOException {
        Optional<StoredObject> stored = store.stat(record.key());
        if (stored.isPresent() && stored.get().size() == record.size()) {
            return stored.get();
        }
        spool.remove(record); // nothing left to upload, ever
        pending.remove(record.key());
        throw new StoreException(StoreFailure.LOCAL_IO, "the spooled file of " + record.key() + " ("
                + record.id() + ") is missing and the store does not have it");
    }

    private void finish(SpoolRecord record) {
        try {
            spool.remove(record);
        } catch (IOException e) {
            // The object is stored; the next start finds it (same tag) and removes the record then.
            LOG.warn("Uploaded {} but could not clear its spool record: {}", record.key(), e.toString());
        }
    }

    private UploadProgress progress(ObjectKey key) {
        return new UploadProgress() {
            @Override
            public String tag() {
                return pending.get(key).id();
            }

            @Override
            public String multipartUploadId() {
                return pending.get(key).multipartUploadId();
            }

            @Override
            public void multipartStarted(String uploadId) throws IOException {
                SpoolRecord updated = pending.get(key).withMultipartUploadId(uploadId);
                spool.save(updated);
                pending.put(key, updated);
            }

            @Override
            public void partUploaded(int part, int parts) {
                emit(new UploadEvent.PartUploaded(key, part, parts));
            }
        };
    }

    private void emit(UploadEvent event) {
        try {
            listener.accept(event);
        } catch (RuntimeException e) {
            LOG.warn("Recording upload listener failed on {}", event, e);
        }
    }
}
