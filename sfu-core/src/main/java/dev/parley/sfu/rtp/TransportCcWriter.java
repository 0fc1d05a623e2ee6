package dev.parley.sfu.rtp;

/**
 * Builds one transport-wide congestion control feedback (RTPFB FMT 15) packet by packet, then writes it, without
 * allocating; keep one per transport. See {@link TransportCcIterator} for the layout.
 *
 * <pre>{@code
 * writer.begin(baseSeq, feedbackCount);
 * for each sequence number from baseSeq on: if (!writer.add(received, arrivalMicros)) break;
 * int len = writer.write(dst, off, senderSsrc, mediaSsrc);
 * }</pre>
 *
 * <p>Chunks are chosen greedily: a run of seven or more equal symbols becomes a run-length chunk, otherwise a
 * one-bit vector (14 symbols) when the next ones need no large delta, else a two-bit vector (7 symbols).
 */
public final class TransportCcWriter {
    /** Most packets one feedback reports: keeps the packet (chunks and two-byte deltas) well under an MTU. */
    public static final int MAX_PACKETS = 400;
    private static final int MAX_RUN = 0x1FFF;

    private final byte[] symbols = new byte[MAX_PACKETS];
    private final short[] deltas = new short[MAX_PACKETS];
    private int count;
    private int baseSequence;
    private int feedbackCount;
    private long referenceUnits;
    private long lastArrival;
    private boolean anyReceived;

    /** Starts a feedback whose first packet is {@code baseSequence}; {@code feedbackCount} wraps at 8 bits. */
    public void begin(int baseSequence, int feedbackCount) {
        this.baseSequence = baseSequence & 0xFFFF;
        this.feedbackCount = feedbackCount & 0xFF;
        this.count = 0;
        this.anyReceived = false;
    }

    /** Packets added since {@link #begin}. */
    public int count() {
        return count;
    }

    /**
     * Adds the next sequence number's status.
     *
     * @param arrivalMicros when it arrived, on this side's clock (ignored when not received)
     * @return false, adding nothing, when the feedback is full or the delta from the previous received packet
     *     does not fit 16 bits of 250 µs (about ±8 s): end this feedback and start the next from this packet
     */
    public boolean add(boolean received, long arrivalMicros) {
        if (count >= MAX_PACKETS) {
            return false;
        }
        if (!received) {
            symbols[count] = TransportCcIterator.NOT_RECEIVED;
            deltas[count++] = 0;
            return true;
        }
        if (!anyReceived) {
            // The reference time is the first arrival rounded down to 64 ms, so the first delta is small and positive.
            referenceUnits = Math.floorDiv(arrivalMicros, TransportCcIterator.REFERENCE_TIME_MICROS);
            lastArrival = referenceUnits * TransportCcIterator.REFERENCE_TIME_MICROS;
        }
        long delta = Math.floorDiv(arrivalMicros - lastArrival, TransportCcIterator.DELTA_MICROS);
        if (delta < Short.MIN_VALUE || delta > Short.MAX_VALUE) {
            return false;
        }
        anyReceived = true;
        // Advance by the quantised delta, so rounding errors do not accumulate over the feedback.
        lastArrival += delta * TransportCcIterator.DELTA_MICROS;
        symbols[count] = (byte) (delta >= 0 && delta <= 255 ? TransportCcIterator.SMALL_DELTA : TransportCcIterator.LARGE_DELTA);
        deltas[count++] = (short) delta;
        return true;
    }

    /** Bytes {@link #write} will need. */
    public int length() {
        int chunks = 0;
        for (int i = 0; i < count; ) {
            i += chunkAt(i) & 0xFFFF;
            chunks++;
        }
        int deltaBytes = 0;
        for (int i = 0; i < count; i++) {
            deltaBytes += symbols[i];
        }
        return (TransportCcIterator.FIXED_LENGTH + 2 * chunks + deltaBytes + 3) & ~3;
    }

    /**
     * Writes the feedback; padding to a 32-bit boundary is zero bytes covered by the length, as receivers expect.
     *
     * @return the bytes written
     * @throws IllegalArgumentException when nothing was added or {@code dst} is too small; nothing is written then
     */
    public int write(byte[] dst, int off, int senderSsrc, int mediaSsrc) {
        if (count == 0) {
            throw new IllegalArgumentException("a transport-cc feedback reports at least one packet");
        }
        int length = length();
        if (!BigEndian.inBounds(dst, off, length)) {
            throw new IllegalArgumentException("transport-cc feedback needs " + length + " bytes at offset " + off
                    + ", buffer has " + (dst == null ? 0 : dst.length));
        }
        dst[off] = (byte) (0x80 | RtcpFeedback.FMT_TRANSPORT_CC);
        dst[off + 1] = (byte) RtcpPacket.RTPFB;
        BigEndian.put16(dst, off + 2, length / 4 - 1);
        BigEndian.put32(dst, off + 4, senderSsrc);
        BigEndian.put32(dst, off + 8, mediaSsrc);
        int fci = off + RtcpFeedback.HEADER_LENGTH;
        BigEndian.put16(dst, fci, baseSequence);
        BigEndian.put16(dst, fci + 2, count);
        BigEndian.put24(dst, fci + 4, anyReceived ? (int) referenceUnits : 0);
        dst[fci + 7] = (byte) feedbackCount;
        int pos = off + TransportCcIterator.FIXED_LENGTH;
        for (int i = 0; i < count; ) {
            int c = chunkAt(i);
            BigEndian.put16(dst, pos, c >>> 16);
            pos += 2;
            i += c & 0xFFFF;
        }
        for (int i = 0; i < count; i++) {
            if (symbols[i] == TransportCcIterator.SMALL_DELTA) {
                dst[pos++] = (byte) deltas[i];
            } else if (symbols[i] == TransportCcIterator.LARGE_DELTA) {
                BigEndian.put16(dst, pos, deltas[i]);
                pos += 2;
            }
        }
        while (pos < off + length) {
            dst[pos++] = 0;
        }
        return length;
    }

    /** The chunk starting at symbol {@code i}: its 16 bits in the high half, the symbols it covers in the low. */
    private int chunkAt(int i) {
        int run = 1;
        while (i + run < count && run < MAX_RUN && symbols[i + run] == symbols[i]) {
            run++;
        }
        if (run >= 7 || i + run == count && run == count - i && run > 1) {
            return (symbols[i] << 13 | run) << 16 | run;
        }
        int oneBit = Math.min(14, count - i);
        boolean small = true;
        for (int k = 0; k < oneBit; k++) {
            small &= symbols[i + k] != TransportCcIterator.LARGE_DELTA;
        }
        if (small) {
            int c = 0x8000;
            for (int k = 0; k < oneBit; k++) {
                c |= symbols[i + k] << (13 - k);
            }
            return c << 16 | oneBit;
        }
        int twoBit = Math.min(7, count - i);
        int c = 0xC000;
        for (int k = 0; k < twoBit; k++) {
            c |= symbols[i + k] << (12 - 2 * k);
        }
        return c << 16 | twoBit;
    }
}
