package dev.parley.sfu.srtp;

/**
 * The sending side's SRTP packet index for one SSRC (RFC 3711 section 3.3.1): the rollover counter that goes with
 * each 16-bit sequence number, estimated from the highest index sent so far as RFC 3711 appendix A estimates it.
 * A packet sent again after the sequence numbers wrapped (a NACKed one) gets the counter it was first sent under,
 * so it encrypts to the same bytes.
 */
final class RolloverCounter {
    private long highestIndex = -1;

    /** The rollover counter for sending {@code seq} (0-65535), remembering it if it is the newest index yet. */
    int forSequence(int seq) {
        if (highestIndex < 0) {
            highestIndex = seq;
            return 0;
        }
        int roc = (int) (highestIndex >>> 16);
        int last = (int) (highestIndex & 0xFFFF);
        int guess;
        if (last < 0x8000) {
            guess = seq - last > 0x8000 ? roc - 1 : roc;
        } else {
            guess = last - 0x8000 > seq ? roc + 1 : roc;
        }
        if (guess < 0) {
            // Before the first packet's wrap-around: an index below zero does not exist, so the packet is
            // taken as one of roll-over zero, as the receiver will take it.
            guess = 0;
        }
        long index = ((long) guess << 16) | seq;
        if (index > highestIndex) {
            highestIndex = index;
        }
        return guess;
    }
}
