package dev.parley.sfu.dtls;

import java.io.IOException;
import java.util.Objects;

/** Why a DTLS-SRTP handshake did not produce SRTP keys; {@link #reason()} sorts failures for metrics and logs. */
public final class DtlsHandshakeException extends IOException {
    /** The kinds of handshake failure. */
    public enum Reason {
        /** No plausible ClientHello within the first-flight timeout, or no completed handshake within the handshake timeout. */
        TIMEOUT,
        /** The session was closed (or its future cancelled) before the handshake finished. */
        CLOSED,
        /** Until the handshake timeout, the handshake executor (pool and queue) refused every ClientHello. */
        EXECUTOR_REJECTED,
        /** Until the handshake timeout, every ClientHello came while its source had too many handshakes pending. */
        REFUSED_SOURCE,
        /** Until the handshake timeout, every ClientHello came while its room had too many handshakes pending. */
        REFUSED_ROOM,
        /** The peer's certificate does not match the fingerprint from its SDP. */
        FINGERPRINT_MISMATCH,
        /** The peer sent no certificate, so it cannot be checked against its SDP fingerprint. */
        NO_PEER_CERTIFICATE,
        /** The peer offered no SRTP protection profile we support, or no {@code use_srtp} at all. */
        NO_COMMON_SRTP_PROFILE,
        /** The peer aborted the handshake with a fatal alert. */
        PEER_ALERT,
        /** Anything else the DTLS layer refused: versions, cipher suites, malformed messages. */
        PROTOCOL_ERROR
    }

    private final Reason reason;

    DtlsHandshakeException(Reason reason, String message) {
        this(reason, message, null);
    }

    DtlsHandshakeException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** The kind of failure. */
    public Reason reason() {
        return reason;
    }
}
