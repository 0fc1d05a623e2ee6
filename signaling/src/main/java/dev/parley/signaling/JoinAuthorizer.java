package dev.parley.signaling;

import java.util.UUID;

/** Decides whether a {@code join} may proceed; the server wires this to the control plane's join tokens. */
@FunctionalInterface
public interface JoinAuthorizer {
    /**
     * @param token the join token from the message, or null when it carried none
     * @throws JoinRefusedException with a message the client can show
     */
    JoinPermit authorize(String room, String name, String token) throws JoinRefusedException;

    /** The embedded default: anyone with the link may join any room, publish and subscribe. */
    static JoinAuthorizer openRooms() {
        return (room, name, token) -> new JoinPermit("guest-" + UUID.randomUUID(), name, true, true);
    }

    final class JoinRefusedException extends Exception {
        public JoinRefusedException(String message) {
            super(message);
        }
    }
}
