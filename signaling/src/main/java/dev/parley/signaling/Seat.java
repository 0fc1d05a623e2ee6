package dev.parley.signaling;

/**
 * Someone holding a place in a room: a WebSocket signaling session, or a WHIP ingest session (which has no
 * channel to talk on). What hosts and administrators do to people in a room goes through this.
 */
abstract class Seat {
    /** The media participant's id, null until it is in the room. */
    abstract String participantId();

    abstract String identity();

    abstract JoinPermit permit();

    abstract String room();

    /** Takes this seat's holder out of its room with {@code reason}; false when it was already gone. */
    abstract boolean remove(String reason);

    /** Tells the holder something, when it has a channel to be told on. */
    abstract void send(ServerMessage message);
}
