package dev.parley.sfu.stun;

/**
 * Why a datagram was not accepted as a Binding request. The values are listed in the order the
 * checks run; the first failing check decides. Up to and including {@link #BAD_FINGERPRINT} the
 * datagram is dropped silently (no response). The 400 and 401 answers to requests that
 * did not authenticate are only given when they are no larger than the request (no amplification).
 */
public enum StunRejection {
    /** Not a STUN message: first byte, magic cookie, or length field does not fit the datagram. */
    NOT_STUN,
    /** A STUN message, but not a Binding request (indications, responses, other methods). Quiet. */
    NOT_BINDING_REQUEST,
    /** An attribute runs past the message end, has a length its type forbids, repeats, or follows FINGERPRINT. */
    MALFORMED,
    /** No FINGERPRINT attribute; ICE requires it on every check. */
    MISSING_FINGERPRINT,
    /** FINGERPRINT does not hold the CRC-32 of the message before it. */
    BAD_FINGERPRINT,
    /** No MESSAGE-INTEGRITY; answered with 400 (Bad Request). */
    MISSING_INTEGRITY,
    /** No USERNAME; answered with 400 (Bad Request). */
    MISSING_USERNAME,
    /** USERNAME is not {@code <serverUfrag>:<browserUfrag>} in printable ASCII; answered with 401. */
    BAD_USERNAME,
    /** No transport owns the server ufrag in USERNAME; answered with 401 (Unauthenticated). */
    UNKNOWN_UFRAG,
    /** MESSAGE-INTEGRITY does not verify with the transport's password; answered with 401. */
    BAD_INTEGRITY,
    /** Authenticated, but carries comprehension-required attributes we do not know; answered with 420. */
    UNKNOWN_ATTRIBUTE,
    /** Authenticated, but without the PRIORITY attribute ICE requires; answered with 400. */
    MISSING_PRIORITY,
    /** Authenticated, but the peer claims the controlled role too (ICE-CONTROLLED); answered with 487. */
    ROLE_CONFLICT
}
