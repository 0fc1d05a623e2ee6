package dev.parley.signaling;

/**
 * Starts and stops a room's recording for a participant signaling found allowed to ({@link JoinPermit#mayRecord});
 * the server wires it to the control plane. Success shows as the {@code recording} message to the room.
 */
public interface RecordingControl {
    /** Starts recording {@code room}'s meeting, recorded as started by {@code identity}. */
    void start(String room, String identity) throws RefusedException;

    /** Stops the recording running in {@code room}'s meeting, on behalf of {@code identity}. */
    void stop(String room, String identity) throws RefusedException;

    /** Refuses everything: a server without a control plane records nothing. */
    RecordingControl UNAVAILABLE = new RecordingControl() {
        @Override
        public void start(String room, String identity) throws RefusedException {
            throw new RefusedException("recording_unavailable", "this server does not record");
        }

        @Override
        public void stop(String room, String identity) throws RefusedException {
            throw new RefusedException("recording_unavailable", "this server does not record");
        }
    };

    /** A refusal: {@link #code()} is the protocol's error code (docs/protocol.md), the message is for people. */
    final class RefusedException extends Exception {
        private final String code;

        public RefusedException(String code, String message) {
            super(message);
            this.code = code;
        }

        public String code() {
            return code;
        }
    }
}
