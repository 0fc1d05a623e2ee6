package dev.parley.sfu.sdp;

/** An offer or answer Parley cannot use; the message says why, in words a client developer can act on. */
public final class SdpException extends Exception {
    public SdpException(String message) {
        super(message);
    }
}
