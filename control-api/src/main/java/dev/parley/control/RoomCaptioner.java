package dev.parley.control;

/**
 * What the control plane asks of the AI side to caption a room (the server wires this to the AI bridge). The
 * control plane decides who may turn captions on and keeps the meeting's setting; this taps the room's audio and
 * reports what it hears to {@link CaptionResults}. Both methods return at once: attaching to a room and talking
 * to the speech service happen on the captioner's own threads.
 */
public interface RoomCaptioner {

    /** Refused: captioning is not possible on this server ({@code reason} says why, e.g. no AI configured). */
    final class Unavailable extends RuntimeException {
        public Unavailable(String reason) {
            super(reason);
        }
    }

    /** Whether this server can caption at all (an AI endpoint is configured). */
    boolean available();

    /**
     * Starts captioning {@code room}; a room already captioned stays so.
     *
     * @throws Unavailable when it cannot start
     */
    void start(String room);

    /** Stops captioning {@code room}; a room not captioned is ignored. */
    void stop(String room);

    /** No captioning on this server (AI off, or the control plane alone as in its own tests). */
    RoomCaptioner NONE = new RoomCaptioner() {
        @Override
        public boolean available() {
            return false;
        }

        @Override
        public void start(String room) {
            throw new Unavailable("this server has no AI service configured for captions");
        }

        @Override
        public void stop(String room) {}
    };
}
