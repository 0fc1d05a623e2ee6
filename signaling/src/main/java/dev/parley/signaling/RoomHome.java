package dev.parley.signaling;

/**
 * Which node serves a room, asked at every {@code join}. With several nodes the server answers from the room
 * owners it shares with the other nodes; a join for a room another node serves is refused with
 * {@code wrong_node} and that node's URL, which the client follows.
 */
@FunctionalInterface
public interface RoomHome {
    /** Every room is served here: the embedded default. */
    RoomHome HERE = room -> null;

    /**
     * The signaling WebSocket URL of the node that serves {@code room} when it is another node, or null when
     * it is this one (placing the room here if it has no node yet). Runs on the joining connection's thread,
     * never on a media thread; must not throw (a failure to ask means "here").
     */
    String elsewhere(String room);
}
