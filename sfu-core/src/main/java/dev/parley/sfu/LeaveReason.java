package dev.parley.sfu;

/** Why a participant left a room. */
public enum LeaveReason {
    /** The participant asked to leave. */
    LEFT,
    /** Its signaling connection closed without a goodbye. */
    DISCONNECTED,
    /** Its media stopped: ICE consent expired (RFC 7675). */
    TIMEOUT,
    /** The server is shutting down or the room was closed. */
    SERVER_SHUTDOWN,
    /** The embedding application removed it (for Parley: its meeting ended). */
    REMOVED;

    public String wireName() {
        return switch (this) {
            case LEFT -> "left";
            case DISCONNECTED -> "disconnected";
            case TIMEOUT -> "timeout";
            case SERVER_SHUTDOWN -> "server_shutdown";
            case REMOVED -> "removed";
        };
    }
}
