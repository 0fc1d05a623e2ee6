package dev.parley.control;

/**
 * Which node a join is sent to. With several nodes the server wires this to the room owners in Redis; a
 * single node serves every room itself.
 */
@FunctionalInterface
public interface RoomPlacement {
    /** Every room is served by this node. */
    RoomPlacement THIS_NODE = room -> null;

    /**
     * The signaling WebSocket URL of the node that serves {@code room} (placing the room if it has no node
     * yet), or null when this node does. Must not throw: a failure to ask means "this node".
     */
    String signalingUrlFor(String room);
}
