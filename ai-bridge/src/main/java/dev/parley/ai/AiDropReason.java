package dev.parley.ai;

/** Why a speech segment of a meeting was not transcribed. */
public enum AiDropReason {
    /** The queue of segments waiting for a call was full. */
    QUEUE_FULL("queue_full"),
    /** No endpoint was ready. */
    NO_HEALTHY_ENDPOINT("no_healthy_endpoint"),
    /** Every ready endpoint's circuit breaker was open. */
    CIRCUIT_OPEN("circuit_open"),
    /** The call's deadline passed. */
    DEADLINE_EXCEEDED("deadline_exceeded"),
    /** Triton answered with an error or an answer off the contract. */
    FAILED("failed");

    private final String label;

    AiDropReason(String label) {
        this.label = label;
    }

    /** The metric label value. */
    public String label() {
        return label;
    }

    static AiDropReason of(AiUnavailableException.Reason reason) {
        return switch (reason) {
            case NO_HEALTHY_ENDPOINT -> NO_HEALTHY_ENDPOINT;
            case CIRCUIT_OPEN -> CIRCUIT_OPEN;
            case DEADLINE_EXCEEDED -> DEADLINE_EXCEEDED;
            case BUSY -> QUEUE_FULL;
            case FAILED -> FAILED;
        };
    }
}
