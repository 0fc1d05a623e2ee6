package dev.parley.sfu.tap;

/** Why a tapped track ended. */
public enum TrackRemoval {
    /** The publisher renegotiated without it (stopped the camera or microphone track). */
    UNPUBLISHED,
    /** The publisher left the room, was removed, or timed out. */
    PARTICIPANT_LEFT
}
