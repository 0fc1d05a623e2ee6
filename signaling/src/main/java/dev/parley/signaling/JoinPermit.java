package dev.parley.signaling;

/**
 * What a participant may do, as its join token grants (or the open-room default), and the room's rules that
 * signaling enforces when it lets the participant in.
 *
 * @param identity who the participant is (account id, integrator's user id, or a generated guest id)
 * @param name the display name to show, which a token may fix
 * @param host whether the participant hosts the room: it may admit or refuse those waiting in the lobby, and
 *             is let in even when the room is at {@code maxParticipants}
 * @param waitsInLobby whether the participant waits in the room's lobby until a host admits it
 * @param maxParticipants how many may be in the room at once (those waiting in the lobby not counted);
 *                        0 for no limit beyond the media server's own
 * @param canRecord whether the participant may start and stop the room's recording (a host may too)
 */
public record JoinPermit(String identity, String name, boolean canPublish, boolean canSubscribe, boolean host,
                         boolean waitsInLobby, int maxParticipants, boolean canRecord) {
    public JoinPermit {
        if (maxParticipants < 0) {
            throw new IllegalArgumentException("maxParticipants must be 0 (no limit) or more");
        }
    }

    /** A permit without the recording grant. */
    public JoinPermit(String identity, String name, boolean canPublish, boolean canSubscribe, boolean host,
                      boolean waitsInLobby, int maxParticipants) {
        this(identity, name, canPublish, canSubscribe, host, waitsInLobby, maxParticipants, false);
    }

    /** Whether the participant may start and stop recordings: a {@code canRecord} grant, or host rights. */
    public boolean mayRecord() {
        return canRecord || host;
    }

    /** A permit with no host rights, no lobby and no participant limit. */
    public JoinPermit(String identity, String name, boolean canPublish, boolean canSubscribe) {
        this(identity, name, canPublish, canSubscribe, false, false, 0);
    }
}
