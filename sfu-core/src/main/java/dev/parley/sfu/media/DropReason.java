package dev.parley.sfu.media;

import java.util.Locale;

/** Why the media path dropped a packet; each has a counter, exported as {@code parley_media_packets_dropped_total{reason}}. */
public enum DropReason {
    /** The first byte is none of STUN, DTLS, RTP/RTCP (RFC 7983). */
    UNCLASSIFIED,
    /** Larger than any datagram a browser sends, or empty. */
    TOO_LARGE,
    /** STUN that is malformed, not a Binding request, or fails USERNAME/MESSAGE-INTEGRITY/FINGERPRINT checks. */
    STUN_INVALID,
    /** DTLS or RTP/RTCP from an address that never passed an ICE connectivity check. */
    UNKNOWN_SOURCE,
    /** RTP/RTCP from a checked address before its DTLS handshake finished. */
    NOT_CONNECTED,
    /** SRTP/SRTCP that fails authentication or replay protection. */
    SRTP_AUTH_FAILED,
    /** Decrypted packets that are not valid RTP/RTCP. */
    MALFORMED,
    /** RTP on an SSRC the publisher's SDP did not announce. */
    UNKNOWN_SSRC,
    /** An outgoing packet to an ICE-TCP connection whose send buffer was full (the peer reads too slowly). */
    SEND_BUFFER_FULL,
    /** A publisher's packet that already arrived (the original and its retransmission both made it), or is too late. */
    DUPLICATE,
    /** A datagram for another media loop's transport when that loop was a whole handoff ring behind. */
    HANDOFF_FULL;

    /** The metric label value. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
