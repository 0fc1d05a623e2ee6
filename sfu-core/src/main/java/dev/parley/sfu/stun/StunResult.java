package dev.parley.sfu.stun;

import java.util.Objects;

/** What {@link StunBindingResponder#handle} decided about one datagram. */
public sealed interface StunResult permits StunResult.Accepted, StunResult.Rejected {

    /**
     * An authenticated Binding request for one of our transports. The caller sends {@code response}
     * back to the request's source and refreshes that transport's consent (RFC 7675); when
     * {@code useCandidate} is set the browser has nominated this address pair.
     *
     * @param localUfrag  the server's ufrag, which names the transport
     * @param remoteUfrag the browser's ufrag, to compare with the one in its SDP
     * @param useCandidate whether the request carried USE-CANDIDATE
     * @param priority    the PRIORITY attribute, an unsigned 32-bit value (the peer-reflexive priority)
     * @param response    the encoded Binding success response; a fresh array the caller owns
     */
    record Accepted(String localUfrag, String remoteUfrag, boolean useCandidate, long priority, byte[] response)
            implements StunResult {
        public Accepted {
            Objects.requireNonNull(localUfrag, "localUfrag");
            Objects.requireNonNull(remoteUfrag, "remoteUfrag");
            Objects.requireNonNull(response, "response");
        }
    }

    /**
     * Not accepted. Nothing about any transport changed.
     *
     * @param reason   which check failed
     * @param response an encoded Binding error response to send back to the source, or {@code null}
     *                 when the datagram should be dropped silently; a fresh array the caller owns
     */
    record Rejected(StunRejection reason, byte[] response) implements StunResult {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
