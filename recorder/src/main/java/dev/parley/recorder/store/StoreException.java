package dev.parley.recorder.store;

/** A store operation failed; {@link #failure()} says why in a form the caller can act on. */
public final class StoreException extends Exception {
    private final StoreFailure failure;

    public StoreException(StoreFailure failure, String message, Throwable cause) {
        super(failure.description() + ": " + message, cause);
        this.failure = failure;
    }

    public StoreException(StoreFailure failure, String message) {
        this(failure, message, null);
    }

    public StoreFailure failure() {
        return failure;
    }
}
