package dev.parley.ai;

/** Whether a meeting's captions are flowing; a page shows "captions paused" for {@link #PAUSED}. */
public enum CaptionStatus {
    /** Speech is being transcribed. */
    ACTIVE,
    /** Speech is not being transcribed now: Triton is unreachable, its breaker is open, or the queue overflows. */
    PAUSED
}
