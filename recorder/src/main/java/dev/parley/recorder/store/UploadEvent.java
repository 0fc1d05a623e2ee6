package dev.parley.recorder.store;

import java.time.Duration;

/** What happens to a submitted file, reported by {@link RecordingUploader} on its own threads. */
public sealed interface UploadEvent {

    ObjectKey key();

    /** The store holds the file; its spool copy is gone. */
    record Uploaded(ObjectKey key, StoredObject object, int attempts) implements UploadEvent {
    }

    /**
     * The upload stopped without success: a failure retrying cannot fix, or the last allowed attempt failed.
     * The file stays in the spool and is tried again when the uploader next starts.
     */
    record Failed(ObjectKey key, StoreException error, int attempts) implements UploadEvent {
        /** The reason in a form fit for a {@code failed} recording. */
        public String reason() {
            return error.getMessage();
        }
    }

    /** One attempt failed with a retryable error; the next starts after {@code retryIn}. */
    record AttemptFailed(ObjectKey key, int attempt, StoreException error, Duration retryIn) implements UploadEvent {
    }

    /** A part of a multipart upload was confirmed by the store (progress; parts kept from earlier are skipped). */
    record PartUploaded(ObjectKey key, int part, int parts) implements UploadEvent {
    }
}
