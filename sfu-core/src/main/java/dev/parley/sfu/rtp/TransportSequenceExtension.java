package dev.parley.sfu.rtp;

/**
 * The transport-wide sequence number header extension (draft-holmer-rmcat-transport-wide-cc-extensions-01): two
 * bytes, one counter per transport across all its streams, which transport-cc feedback refers to. Nothing here
 * allocates or throws on any input.
 */
public final class TransportSequenceExtension {
    public static final String URI = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
    /**
     * The id Parley offers subscribers for it and stamps under. Chrome offers this id too, so packets from a Chrome
     * publisher already carry their slot under it; packets whose publisher used another id are renumbered on
     * arrival ({@link #renumber}).
     */
    public static final int PARLEY_ID = 3;

    private TransportSequenceExtension() {
    }

    /** The sequence number in extension {@code id}, or -1 when the packet carries no valid element with it. */
    public static int read(byte[] buf, int off, int len, int id) {
        long found = RtpHeader.findExtension(buf, off, len, id);
        if (found < 0 || RtpHeader.extensionLength(found) != 2) {
            return -1;
        }
        return BigEndian.u16(buf, RtpHeader.extensionOffset(found));
    }

    /** Overwrites the sequence number in extension {@code id}; false (nothing written) when there is no such slot. */
    public static boolean write(byte[] buf, int off, int len, int id, int sequence) {
        long found = RtpHeader.findExtension(buf, off, len, id);
        if (found < 0 || RtpHeader.extensionLength(found) != 2) {
            return false;
        }
        BigEndian.put16(buf, RtpHeader.extensionOffset(found), sequence);
        return true;
    }

    /**
     * Swaps ids {@code from} and {@code to} in a one-byte-form extension block, so the transport sequence slot
     * the publisher wrote under {@code from} is found under {@code to}, and whatever the publisher had under
     * {@code to} moves to {@code from} (which subscribers did not negotiate, so they ignore it). The two-byte form
     * is left alone (Parley negotiates neither it nor mixed forms with publishers).
     *
     * @return whether the block was walked and rewritten
     */
    public static boolean renumber(byte[] buf, int off, int len, int from, int to) {
        if (from == to || from < 1 || from > 14 || to < 1 || to > 14 || !RtpHeader.isValid(buf, off, len)
                || !RtpHeader.hasExtension(buf, off)) {
            return false;
        }
        int start = off + RtpHeader.FIXED_HEADER_LENGTH + 4 * RtpHeader.csrcCount(buf, off);
        if (BigEndian.u16(buf, start) != RtpHeader.ONE_BYTE_PROFILE) {
            return false;
        }
        int end = start + 4 + 4 * BigEndian.u16(buf, start + 2);
        for (int i = start + 4; i < end; ) {
            int b = buf[i] & 0xFF;
            if (b == 0) {
                i++;
                continue;
            }
            int id = b >>> 4;
            if (id == 15) {
                return true;
            }
            if (id == from) {
                buf[i] = (byte) (to << 4 | (b & 0x0F));
            } else if (id == to) {
                buf[i] = (byte) (from << 4 | (b & 0x0F));
            }
            i += 2 + (b & 0x0F);
        }
        return true;
    }
}
