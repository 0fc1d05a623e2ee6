package dev.parley.sfu.dtls;

import java.util.Locale;

/**
 * How a DTLS handshake ended, as {@link HandshakeAdmission} counts it; exported as
 * {@code parley_dtls_handshakes_total{outcome}}. A session its owner closed before it ended (the participant
 * left) is not counted.
 */
public enum HandshakeOutcome {
    /** Keys were agreed. */
    COMPLETED,
    /** Every ClientHello was refused because its source had too many handshakes pending. */
    REFUSED_SOURCE,
    /** Every ClientHello was refused because its room had too many handshakes pending. */
    REFUSED_ROOM,
    /** Every ClientHello was refused because all handshake threads and the queue were taken. */
    REFUSED_POOL,
    /** No plausible ClientHello within the first-flight timeout, or no completed handshake within the handshake timeout. */
    TIMEOUT,
    /** The handshake failed: wrong certificate, no common SRTP profile, a fatal alert, a malformed message. */
    FAILED;

    /** The metric label value. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
