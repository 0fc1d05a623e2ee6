package dev.parley.sfu.media;

import java.util.Locale;

/**
 * What became of an ICE-TCP connection; each has a counter, exported as
 * {@code parley_ice_tcp_connections_total{outcome}}. A connection is counted once: when it is refused, when it
 * is closed before carrying a candidate pair, or when its first connectivity check is accepted.
 */
public enum IceTcpOutcome {
    /** Its first message was a valid connectivity check: it carries a candidate pair. */
    ACCEPTED,
    /** Refused on connect: its address had as many connections open as allowed. */
    REFUSED_ADDRESS,
    /** Refused on connect: the server had as many ICE-TCP connections open as allowed. */
    REFUSED_TOTAL,
    /** Closed: no valid connectivity check within the first-message deadline. */
    FIRST_MESSAGE_TIMEOUT,
    /** Closed: a frame of length zero or longer than any packet (not RFC 4571 framing of ICE traffic). */
    FRAMING_ERROR,
    /** Closed: the first frame was not a STUN Binding request that passes the checks of a known transport. */
    BAD_FIRST_MESSAGE;

    /** The metric label value. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
