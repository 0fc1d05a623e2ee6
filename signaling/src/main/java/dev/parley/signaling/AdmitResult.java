package dev.parley.signaling;

/** What came of admitting someone from a lobby. */
public enum AdmitResult {
    /** They are on their way into the room. */
    ADMITTED,
    /** Nobody waits under that id in that room (never did, left, or was already admitted or refused). */
    NOT_WAITING,
    /** The room is at its participant limit; they keep waiting. */
    ROOM_FULL
}
