package dev.parley.sfu.rtp;

/**
 * Reads transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01, RTPFB
 * FMT 15) packet by packet, without allocating; keep one per thread and {@link #reset} it per feedback.
 *
 * <p>Layout after the 12-byte feedback header: base sequence number (16 bits), packet status count (16), reference
 * time (24 bits, signed, in 64 ms units), feedback packet count (8), then 16-bit packet chunks covering the status
 * count, then one receive delta per received packet (one byte, unsigned, for "small delta"; two bytes, signed,
 * for "large or negative delta"), each in 250 µs units and relative to the previous received packet (the first to
 * the reference time).
 *
 * <p>{@code reset} walks the whole feedback first: the chunks must cover the status count, no chunk may use the
 * reserved symbol, and every delta must fit the packet. A feedback that fails yields nothing, so a caller never acts
 * on half of a malformed one.
 *
 * <pre>{@code
 * if (twcc.reset(buf, off, len)) {
 *     while (twcc.next()) { int seq = twcc.sequenceNumber(); if (twcc.received()) use(twcc.arrivalMicros()); }
 * }
 * }</pre>
 */
public final class TransportCcIterator {
    /** Base sequence number, status count, reference time and feedback count. */
    static final int FIXED_LENGTH = RtcpFeedback.HEADER_LENGTH + 8;
    /** Status symbols: not received, received with a one-byte delta, received with a two-byte delta. */
    static final int NOT_RECEIVED = 0;
    static final int SMALL_DELTA = 1;
    static final int LARGE_DELTA = 2;
    /** Resolution of the reference time and of the deltas. */
    public static final long REFERENCE_TIME_MICROS = 64_000;
    public static final long DELTA_MICROS = 250;

    private byte[] buf;
    private boolean valid;
    private int baseSequence;
    private int statusCount;
    private long referenceMicros;
    private int feedbackCount;
    // Cursor.
    private int index;
    private int chunkPos;
    private int chunk;
    private int chunkUsed;
    private int chunkSize;
    private int deltaPos;
    private long arrival;
    // Current packet.
    private int sequence;
    private int symbol;

    /**
     * Starts over the feedback at {@code [off, off+len)} (one RTCP packet, padding excluded, as yielded by
     * {@link RtcpIterator}).
     *
     * @return whether it is a complete, well-formed transport-cc feedback; when false, {@link #next()} yields nothing
     */
    public boolean reset(byte[] buf, int off, int len) {
        this.valid = BigEndian.inBounds(buf, off, len) && len >= FIXED_LENGTH
                && RtcpPacket.type(buf, off) == RtcpPacket.RTPFB
                && RtcpPacket.count(buf, off) == RtcpFeedback.FMT_TRANSPORT_CC
                && validate(buf, off, len);
        this.buf = valid ? buf : null;
        this.index = 0;
        if (!valid) {
            this.statusCount = 0;
            return false;
        }
        int fci = off + RtcpFeedback.HEADER_LENGTH;
        this.baseSequence = BigEndian.u16(buf, fci);
        this.statusCount = BigEndian.u16(buf, fci + 2);
        this.referenceMicros = (BigEndian.u24(buf, fci + 4) << 8 >> 8) * REFERENCE_TIME_MICROS;
        this.feedbackCount = BigEndian.u8(buf, fci + 7);
        this.chunkPos = off + FIXED_LENGTH;
        this.chunkUsed = 0;
        this.chunkSize = 0;
        this.deltaPos = off + FIXED_LENGTH + 2 * chunkCount(buf, off);
        this.arrival = referenceMicros;
        return true;
    }

    /** Whether the last {@link #reset} found a well-formed feedback. */
    public boolean isValid() {
        return valid;
    }

    /** Sequence number of the first packet reported. */
    public int baseSequenceNumber() {
        return baseSequence;
    }

    /** How many packets the feedback reports on (received or not). */
    public int packetStatusCount() {
        return statusCount;
    }

    /** The reference time in microseconds on the receiver's clock (sign-extended 24-bit field times 64 ms). */
    public long referenceMicros() {
        return referenceMicros;
    }

    /** The feedback's own sequence number (8 bits, wrapping), to spot lost or reordered feedback. */
    public int feedbackCount() {
        return feedbackCount;
    }

    /** Moves to the next reported packet; false when none remains (or the feedback was invalid). */
    public boolean next() {
        if (!valid || index >= statusCount) {
            return false;
        }
        while (chunkUsed >= chunkSize) { // a zero-length run covers nothing; validation bounds the walk
            chunk = BigEndian.u16(buf, chunkPos);
            chunkPos += 2;
            chunkUsed = 0;
            chunkSize = chunkCapacity(chunk);
        }
        symbol = symbolAt(chunk, chunkUsed++);
        sequence = (baseSequence + index++) & 0xFFFF;
        if (symbol == SMALL_DELTA) {
            arrival += BigEndian.u8(buf, deltaPos++) * DELTA_MICROS;
        } else if (symbol == LARGE_DELTA) {
            arrival += (short) BigEndian.u16(buf, deltaPos) * DELTA_MICROS;
            deltaPos += 2;
        }
        return true;
    }

    /** The current packet's transport-wide sequence number. */
    public int sequenceNumber() {
        return sequence;
    }

    /** Whether the current packet arrived. */
    public boolean received() {
        return symbol != NOT_RECEIVED;
    }

    /** When the current packet arrived, in microseconds on the receiver's clock; meaningless when not received. */
    public long arrivalMicros() {
        return arrival;
    }

    /** Packets a chunk covers: a run's length, 14 one-bit or 7 two-bit symbols. */
    private static int chunkCapacity(int chunk) {
        if ((chunk & 0x8000) == 0) {
            return chunk & 0x1FFF;
        }
        return (chunk & 0x4000) == 0 ? 14 : 7;
    }

    private static int symbolAt(int chunk, int i) {
        if ((chunk & 0x8000) == 0) {
            return (chunk >>> 13) & 0x3;
        }
        if ((chunk & 0x4000) == 0) {
            return (chunk >>> (13 - i)) & 0x1;
        }
        return (chunk >>> (12 - 2 * i)) & 0x3;
    }

    /** Chunks needed to cover the status count (validated before use). */
    private static int chunkCount(byte[] buf, int off) {
        int count = BigEndian.u16(buf, off + RtcpFeedback.HEADER_LENGTH + 2);
        int pos = off + FIXED_LENGTH;
        int covered = 0;
        int chunks = 0;
        while (covered < count) {
            covered += chunkCapacity(BigEndian.u16(buf, pos));
            pos += 2;
            chunks++;
        }
        return chunks;
    }

    private static boolean validate(byte[] buf, int off, int len) {
        int end = off + len;
        int count = BigEndian.u16(buf, off + RtcpFeedback.HEADER_LENGTH + 2);
        int pos = off + FIXED_LENGTH;
        int covered = 0;
        int deltaBytes = 0;
        while (covered < count) {
            if (pos + 2 > end) {
                return false;
            }
            int chunk = BigEndian.u16(buf, pos);
            pos += 2;
            int capacity = chunkCapacity(chunk);
            int used = Math.min(capacity, count - covered);
            if ((chunk & 0x8000) == 0) {
                int s = (chunk >>> 13) & 0x3;
                if (s == 3) {
                    return false;
                }
                deltaBytes += s * used;
            } else {
                for (int i = 0; i < used; i++) {
                    int s = symbolAt(chunk, i);
                    if (s == 3) {
                        return false;
                    }
                    deltaBytes += s;
                }
            }
            covered += capacity;
            if (deltaBytes > len) {
                return false;
            }
        }
        return pos + deltaBytes <= end;
    }
}
