package dev.parley.sfu.stun;

/** The outcome of reading a datagram before authentication: a request to check, or why not. */
sealed interface ParsedDatagram permits BindingRequest, ParsedDatagram.Unusable {

    /** The datagram failed a structural check; it is dropped without an answer. */
    record Unusable(StunRejection reason) implements ParsedDatagram {
    }
}
