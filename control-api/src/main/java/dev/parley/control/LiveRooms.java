package dev.parley.control;

import java.time.Instant;
import java.util.List;

/**
 * What the control plane asks of the live rooms (the server wires this to signaling): the lobby, removing
 * one participant or one account's connections, removing everyone when a meeting ends, and live captions. Rooms are those
 * of this process.
 */
public interface LiveRooms {
    /** Someone waiting in a room's lobby. */
    record Waiting(String waitingId, String identity, String name, Instant since) {}

    /** What came of an admission. */
    enum Admit { ADMITTED, NOT_WAITING, ROOM_FULL }

    /** What came of removing a participant: out, nobody by that id in the room, or the caller itself. */
    enum Remove { REMOVED, NOT_IN_ROOM, SELF }

    List<Waiting> waiting(String room);

    /** Lets {@code waitingId} in, on behalf of {@code by} (an account id). */
    Admit admit(String room, String waitingId, String by);

    /** Turns {@code waitingId} away; false when nobody waits under that id. */
    boolean refuse(String room, String waitingId, String by);

    /** Lets everyone waiting in {@code room}'s lobby in, as far as the room has places (the lobby was turned off). */
    void admitAll(String room, String by);

    /** Removes everyone from {@code room} and its lobby, telling them {@code reason}. */
    void close(String room, String reason);

    /**
     * Takes {@code participantId} out of {@code room} on behalf of {@code by} (an account id), and bars its
     * identity from the room until the meeting ends.
     */
    Remove remove(String room, String participantId, String by);

    /**
     * Takes every connection of account {@code accountId} out of every room and lobby, telling them
     * {@code reason} ({@code account_disabled}, {@code account_deleted}); {@code by} is the admin who decided.
     */
    void removeAccount(String accountId, String reason, String by);

    /** Shows a caption to everyone in {@code room} (signaling message {@code caption}). */
    default void caption(String room, CaptionResults.Segment segment) {}

    /** Shows an emotion sample to the hosts in {@code room} (signaling message {@code emotion}). */
    default void emotion(String room, CaptionResults.Emotion emotion) {}

    /** Tells everyone in {@code room}, and those who join later, whether captions are on (message {@code captionStatus}). */
    default void captionStatus(String room, CaptionResults.Status status) {}

    /** No live rooms (the control plane alone, as in its own tests). */
    LiveRooms NONE = new LiveRooms() {
        @Override
        public List<Waiting> waiting(String room) {
            return List.of();
        }

        @Override
        public Admit admit(String room, String waitingId, String by) {
            return Admit.NOT_WAITING;
        }

        @Override
        public boolean refuse(String room, String waitingId, String by) {
            return false;
        }

        @Override
        public void admitAll(String room, String by) {}

        @Override
        public void close(String room, String reason) {}

        @Override
        public Remove remove(String room, String participantId, String by) {
            return Remove.NOT_IN_ROOM;
        }

        @Override
        public void removeAccount(String accountId, String reason, String by) {}
    };
}
