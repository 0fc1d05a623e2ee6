package dev.parley.control;

/** A join token was refused; {@link #reason()} says why in a form signaling can map to its own error codes. */
public final class InvalidTokenException extends Exception {
    /** Why a token was refused. */
    public enum Reason {
        /** Not a JWT, not HS256, or a required claim is missing or of the wrong type. */
        MALFORMED,
        /** Signed by an API key this server does not know. */
        UNKNOWN_KEY,
        /** Signed by an API key that has been revoked. */
        REVOKED_KEY,
        /** The signature does not match the claimed signer: tampered or forged. */
        BAD_SIGNATURE,
        /** Past its {@code exp}. */
        EXPIRED,
        /** Before its {@code nbf}. */
        NOT_YET_VALID,
        /** Valid, but for another room. */
        WRONG_ROOM,
        /** Its id ({@code jti}) was revoked. */
        REVOKED
    }

    private final Reason reason;

    public InvalidTokenException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
