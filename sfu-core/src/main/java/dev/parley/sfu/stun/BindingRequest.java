package dev.parley.sfu.stun;

/**
 * Where the parts of one structurally valid, fingerprint-checked Binding request sit in its datagram.
 * Nothing here is authenticated yet. Offsets are absolute indexes into {@code buf}; -1 means absent.
 *
 * @param integrityOffset start of the MESSAGE-INTEGRITY attribute header
 * @param priority        PRIORITY as an unsigned value, or -1 when absent
 * @param unknownRequired comprehension-required attribute types we do not understand (bounded list)
 */
record BindingRequest(
        byte[] buf,
        int off,
        int len,
        int usernameOffset,
        int usernameLength,
        int integrityOffset,
        long priority,
        boolean iceControlled,
        boolean useCandidate,
        char[] unknownRequired) implements ParsedDatagram {

    static final int HEADER_LENGTH = 20;
    static final int MAGIC_COOKIE = 0x2112A442;
    static final int TRANSACTION_ID_OFFSET = 8;
    static final int TRANSACTION_ID_LENGTH = 12;

    /** A copy of the 96-bit transaction id. */
    byte[] transactionId() {
        byte[] id = new byte[TRANSACTION_ID_LENGTH];
        System.arraycopy(buf, off + TRANSACTION_ID_OFFSET, id, 0, TRANSACTION_ID_LENGTH);
        return id;
    }
}
