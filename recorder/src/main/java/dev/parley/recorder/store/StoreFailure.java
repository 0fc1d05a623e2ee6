package dev.parley.recorder.store;

/** Why a store operation failed, and whether trying again later can help. */
public enum StoreFailure {
    /** The configured bucket does not exist. An operator has to create it (or fix {@code s3-bucket}). */
    BUCKET_MISSING(false, "the bucket does not exist"),
    /**
     * The object store refused the access key, the signature made with the secret key, or what these credentials
     * may do (S3 servers answer all three with similar codes, some with a plain AccessDenied).
     */
    CREDENTIALS_REFUSED(false, "the object store refused the credentials"),
    /** No object under that key. */
    NOT_FOUND(false, "no such recording file"),
    /** The local disk has no room for the file (or would go below the configured reserve). */
    DISK_FULL(false, "no space left on the local disk"),
    /** The file to store is missing or unreadable on the local disk. */
    LOCAL_IO(false, "the local file could not be read or written"),
    /** The object store answered with a refusal that is not one of the above. */
    REJECTED(false, "the object store rejected the request"),
    /** The object store could not be reached (connection refused, reset, timed out). */
    UNREACHABLE(true, "the object store could not be reached"),
    /** The object store reported a temporary error of its own (5xx, slow down). */
    SERVER_ERROR(true, "the object store reported a temporary error");

    private final boolean retryable;
    private final String description;

    StoreFailure(boolean retryable, String description) {
        this.retryable = retryable;
        this.description = description;
    }

    /** True when the same request may succeed later without anyone changing the configuration. */
    public boolean retryable() {
        return retryable;
    }

    /** A short human-readable sentence, suitable as the reason of a {@code failed} recording. */
    public String description() {
        return description;
    }
}
