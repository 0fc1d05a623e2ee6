package dev.parley.signaling;

/** Told when participants join and leave through signaling (the control plane records history from this). */
public interface ParticipantObserver {
    void joined(String room, String participantId, JoinPermit permit);

    void left(String room, String participantId, String reason);

    /** Someone entered the room's lobby and waits for a host. */
    default void waiting(String room, String waitingId, JoinPermit permit) {}

    /** A host ({@code by}, an identity) let a waiting participant in; {@link #joined} follows when it is in. */
    default void admitted(String room, String waitingId, JoinPermit permit, String by) {}

    /** A host ({@code by}) turned a waiting participant away. */
    default void refused(String room, String waitingId, JoinPermit permit, String by) {}

    ParticipantObserver NONE = new ParticipantObserver() {
        @Override
        public void joined(String room, String participantId, JoinPermit permit) {}

        @Override
        public void left(String room, String participantId, String reason) {}
    };
}
