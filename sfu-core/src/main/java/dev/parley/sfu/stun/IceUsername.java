package dev.parley.sfu.stun;

import java.nio.charset.StandardCharsets;

/**
 * A connectivity check's USERNAME, {@code <serverUfrag>:<browserUfrag>} (RFC 8445 7.2.2).
 * ICE ufrags are ice-chars (RFC 8839), so anything outside printable ASCII is refused outright.
 */
record IceUsername(String local, String remote) {

    /** Parses USERNAME's value, or returns {@code null} when it is not two non-empty ufrags. */
    static IceUsername parse(byte[] buf, int off, int len) {
        int colon = -1;
        for (int i = off; i < off + len; i++) {
            int c = buf[i] & 0xFF;
            if (c < 0x21 || c > 0x7E) {
                return null;
            }
            if (c == ':' && colon < 0) {
                colon = i;
            }
        }
        if (colon <= off || colon == off + len - 1) {
            return null;
        }
        return new IceUsername(
                new String(buf, off, colon - off, StandardCharsets.US_ASCII),
                new String(buf, colon + 1, off + len - colon - 1, StandardCharsets.US_ASCII));
    }
}
