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

    /** A refused join: {@link #code()} is the protocol's error code (docs/protocol.md), the message is for people. */
    final class JoinRefusedException extends Exception {
        private final String code;

        /** A refusal for a missing, invalid or unusable token (code {@code auth}). */
        public JoinRefusedException(String message) {
            this("auth", message);
        }

        public JoinRefusedException(String code, String message) {
            super(message);
            this.code = code;
        }

        public String code() {
            return code;
        }
    }
}
