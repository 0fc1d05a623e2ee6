package dev.parley.ai;

/** A circuit breaker's state. */
public enum BreakerState {
    /** Calls go through. */
    CLOSED,
    /** Calls are refused after repeated failures, until the open period passes. */
    OPEN,
    /** The open period passed: one probe call goes through; its outcome closes or reopens the breaker. */
    HALF_OPEN
}
