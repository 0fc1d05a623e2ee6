package dev.parley.recorder.store;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Where finished recording files live: {@link LocalDirectoryStore} (the default) or {@link S3Store}.
 *
 * <p>Calls block on disk or network I/O: never call them on a media thread. Most callers go through
 * {@link RecordingUploader}, which adds the durable spool and the retries.
 */
public abstract sealed class RecordingStore implements AutoCloseable permits LocalDirectoryStore, S3Store {

    /** The longest a presigned download URL may stay valid (the S3 limit). */
    public static final Duration MAX_DOWNLOAD_VALIDITY = Duration.ofDays(7);
    /** How long a download link stays valid unless configured otherwise. */
    public static final Duration DEFAULT_DOWNLOAD_VALIDITY = Duration.ofMinutes(15);

    RecordingStore() {
    }

    /** Checks that the store is usable (directory writable, bucket present, credentials accepted). */
    public abstract void check() throws StoreException;

    /** Stores a copy of {@code file} under {@code key}, replacing what was there. The file itself stays. */
    public final StoredObject put(ObjectKey key, Path file) throws StoreException, InterruptedException {
        return upload(key, file, UploadProgress.NONE);
    }

    /** What is stored under {@code key}, if anything. */
    public abstract Optional<StoredObject> stat(ObjectKey key) throws StoreException;

    /**
     * How to download the file under {@code key}: a local path, or a presigned URL valid for {@code validity}
     * (between one second and {@link #MAX_DOWNLOAD_VALIDITY}).
     *
     * @throws StoreException {@link StoreFailure#NOT_FOUND} when nothing is stored under the key
     */
    public abstract Download download(ObjectKey key, Duration validity) throws StoreException;

    /** Removes the file under {@code key}; removing a missing key is not an error. */
    public abstract void delete(ObjectKey key) throws StoreException;

    /** A one-line description for logs, without secrets. */
    public abstract String describe();

    @Override
    public void close() {
    }

    /** The upload itself; {@code progress} lets a multipart upload resume where an earlier attempt stopped. */
    abstract StoredObject upload(ObjectKey key, Path file, UploadProgress progress)
            throws StoreException, InterruptedException;

    static void checkValidity(Duration validity) {
        if (validity == null || validity.compareTo(Duration.ofSeconds(1)) < 0
                || validity.compareTo(MAX_DOWNLOAD_VALIDITY) > 0) {
            throw new IllegalArgumentException("download validity must be between 1 second and 7 days, got " + validity);
        }
    }
}
