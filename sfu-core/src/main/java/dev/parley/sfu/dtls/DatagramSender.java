package dev.parley.sfu.dtls;

/**
 * Sends one datagram to the peer of a DTLS session, e.g. by writing it to the participant's UDP or ICE-TCP
 * transport. Called from handshake threads, so the implementation must be thread-safe; it should not block
 * either (queue the write and return).
 */
@FunctionalInterface
public interface DatagramSender {
    /** Sends {@code len} bytes of {@code buf} from {@code off}; the bytes may be reused once this returns. */
    void send(byte[] buf, int off, int len);
}
