package dev.parley.sfu.stun;

/**
 * Finds the ICE password the server announced for one of its transports.
 *
 * <p>The responder calls it once per Binding request, on the thread that handles the datagram, so
 * it must be fast, non-blocking and safe to call from that thread (typically a concurrent map read).
 */
@FunctionalInterface
public interface IcePasswordLookup {
    /**
     * Returns the ice-pwd the server put in its SDP next to {@code localUfrag}, or {@code null} when
     * no live transport owns that ufrag. An empty password counts as unknown.
     */
    String passwordFor(String localUfrag);
}
