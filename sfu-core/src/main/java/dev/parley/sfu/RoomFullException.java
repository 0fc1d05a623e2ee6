package dev.parley.sfu;

/** A join refused because the room has reached its participant limit. */
public final class RoomFullException extends Exception {
    public RoomFullException(String room, int limit) {
        super("room " + room + " is full (" + limit + " participants)");
    }
}
