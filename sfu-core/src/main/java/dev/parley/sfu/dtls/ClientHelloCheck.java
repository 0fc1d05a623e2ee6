package dev.parley.sfu.dtls;

/**
 * Whether a datagram starts with what a DTLS client sends first: a plaintext handshake record holding a
 * ClientHello, or its first fragment (RFC 6347 sections 4.1, 4.2.2, 4.2.3; RFC 5246 section 7.4.1.2). Only such a
 * datagram may make a session ask for a handshake thread: junk that merely has a DTLS first byte is dropped on
 * the event loop. Checks every field present, without allocating; a fragment is judged as far as it goes.
 */
final class ClientHelloCheck {
    private static final int RECORD_HEADER = 13;
    private static final int HANDSHAKE_HEADER = 12;
    private static final int HANDSHAKE = 22;
    private static final int CLIENT_HELLO = 1;
    /** client_version, random and the session id's length: the least a first fragment must show. */
    private static final int MIN_BODY = 2 + 32 + 1;
    /** Far above any real ClientHello (a few hundred bytes; ~1.5 kB with post-quantum key shares). */
    private static final int MAX_CLIENT_HELLO = 16384;

    private ClientHelloCheck() {}

    static boolean isPlausible(byte[] buf, int off, int len) {
        if (len < RECORD_HEADER + HANDSHAKE_HEADER + MIN_BODY) {
            return false;
        }
        int at = off;
        if ((buf[at] & 0xFF) != HANDSHAKE || !isDtlsVersion(buf, at + 1) || u16(buf, at + 3) != 0) {
            return false; // a ClientHello travels in epoch 0
        }
        int recordLength = u16(buf, at + 11);
        if (recordLength < HANDSHAKE_HEADER + MIN_BODY || recordLength > len - RECORD_HEADER) {
            return false;
        }
        at += RECORD_HEADER;
        int messageLength = u24(buf, at + 1);
        int fragmentLength = u24(buf, at + 9);
        if ((buf[at] & 0xFF) != CLIENT_HELLO || u16(buf, at + 4) != 0 || u24(buf, at + 6) != 0
                || messageLength > MAX_CLIENT_HELLO || fragmentLength > messageLength
                || fragmentLength < MIN_BODY || fragmentLength > recordLength - HANDSHAKE_HEADER) {
            return false; // not the first ClientHello (message_seq 0) from its start (fragment_offset 0)
        }
        at += HANDSHAKE_HEADER;
        return isPlausibleBody(buf, at, at + fragmentLength, fragmentLength == messageLength);
    }

    /** The ClientHello body in {@code [at, end)}; {@code whole} when that is all of it, not a first fragment. */
    private static boolean isPlausibleBody(byte[] buf, int at, int end, boolean whole) {
        if (!isDtlsVersion(buf, at)) {
            return false;
        }
        at += 2 + 32;
        int sessionId = buf[at] & 0xFF;
        if (sessionId > 32) {
            return false;
        }
        at += 1 + sessionId;
        if (at >= end) {
            return !whole; // a first fragment may end anywhere; a whole message must go on
        }
        at += 1 + (buf[at] & 0xFF); // cookie
        if (at + 2 > end) {
            return !whole;
        }
        int suites = u16(buf, at);
        if (suites < 2 || suites % 2 != 0) {
            return false;
        }
        at += 2 + suites;
        if (at >= end) {
            return !whole;
        }
        int compressions = buf[at] & 0xFF;
        if (compressions < 1) {
            return false;
        }
        at += 1 + compressions;
        if (at > end) {
            return !whole;
        }
        if (!whole) {
            return true;
        }
        if (at == end) {
            return true; // no extensions (legal, though no browser sends this: it needs use_srtp)
        }
        if (at + 2 > end || u16(buf, at) != end - at - 2) {
            return false;
        }
        at += 2;
        while (at < end) {
            if (at + 4 > end) {
                return false;
            }
            at += 4 + u16(buf, at + 2);
        }
        return at == end;
    }

    /** DTLS 1.0 (0xFEFF) or 1.2 (0xFEFD); DTLS 1.3 clients also put 1.2 here. */
    private static boolean isDtlsVersion(byte[] buf, int at) {
        return (buf[at] & 0xFF) == 0xFE && ((buf[at + 1] & 0xFF) == 0xFF || (buf[at + 1] & 0xFF) == 0xFD);
    }

    private static int u16(byte[] b, int at) {
        return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
    }

    private static int u24(byte[] b, int at) {
        return ((b[at] & 0xFF) << 16) | ((b[at + 1] & 0xFF) << 8) | (b[at + 2] & 0xFF);
    }
}
