package dev.parley.signaling;

/** What came of removing a participant from a room. */
public enum RemoveResult {
    /** They are out, and their identity may not rejoin the room until it is closed. */
    REMOVED,
    /** Nobody in that room has that participant id (never did, or already left). */
    NOT_IN_ROOM,
    /** The participant is the one asking (the same identity): leaving is done with {@code leave}. */
    SELF
}
