package dev.parley.signaling;

/** Told when participants join and leave through signaling (the control plane records history from this). */
public interface ParticipantObserver {
    void joined(String room, String participantId, JoinPermit permit);

    void left(String room, String participantId, String reason);

    ParticipantObserver NONE = new ParticipantObserver() {
        @Override
        public void joined(String room, String participantId, JoinPermit permit) {}

        @Override
        public void left(String room, String participantId, String reason) {}
    };
}
