package dev.parley.ai;

/** An inference call that could not be made or did not succeed. */
public final class AiUnavailableException extends RuntimeException {
    /** Why. */
    public enum Reason {
        /** No endpoint is ready (ServerReady/ModelReady false, or unreachable). */
        NO_HEALTHY_ENDPOINT,
        /** Endpoints are ready but every circuit breaker is open after repeated failures. */
        CIRCUIT_OPEN,
        /** The call's deadline passed. */
        DEADLINE_EXCEEDED,
        /** Too many calls are in flight already. */
        BUSY,
        /** Triton answered with an error, or with an answer that does not fit the model contract. */
        FAILED
    }

    private final Reason reason;

    public AiUnavailableException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
