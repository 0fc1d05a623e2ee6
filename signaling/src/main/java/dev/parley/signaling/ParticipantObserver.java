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

    /**
     * Someone was taken out of a room (or its lobby) by a decision: a host's ({@code reason}
     * {@code removed_by_host}) or an administrator's about the account. {@link #left} has been told already
     * when they were in the room.
     *
     * @param participantId null when they were not in the room yet (waiting, or on their way in)
     * @param by the identity (account id) that decided, or null when not known
     */
    default void removed(String room, String participantId, JoinPermit permit, String reason, String by) {}

    ParticipantObserver NONE = new ParticipantObserver() {
        @Override
        public void joined(String room, String participantId, JoinPermit permit) {}

        @Override
        public void left(String room, String participantId, String reason) {}
    };
}
