package dev.parley.signaling;

/**
 * Turns a room's live captions on and off for a host ({@link JoinPermit#host()}); the server wires it to the
 * control plane, which keeps the meeting's setting and attaches the AI bridge. Success shows as the
 * {@code captionStatus} message to the room (through {@link SignalingService#captionStatusChanged}).
 */
public interface CaptionControl {
    /**
     * Turns captions {@code on} or off in {@code room}, on behalf of {@code identity}.
     *
     * @throws RecordingControl.RefusedException with the protocol's code, e.g. {@code captions_unavailable}
     */
    void set(String room, String identity, boolean on) throws RecordingControl.RefusedException;

    /** Refuses everything: a server without AI captions nothing. */
    CaptionControl UNAVAILABLE = (room, identity, on) -> {
        throw new RecordingControl.RefusedException("captions_unavailable", "this server has no AI service for captions");
    };
}
