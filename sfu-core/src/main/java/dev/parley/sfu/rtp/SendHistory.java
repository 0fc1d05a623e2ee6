package dev.parley.sfu.rtp;

import dev.parley.sfu.packet.PacketBuffer;
import java.util.Arrays;

/**
 * The last packets of one outgoing RTP stream, kept to answer NACKs with retransmissions.
 *
 * <p>A ring of preallocated slots indexed by sequence number: storing copies the packet into its slot, so nothing
 * allocates per packet. Sequence numbers are extended across wraparound, and each slot remembers which extended
 * number it holds, so a lookup never returns a packet that has been overwritten or that belongs to an earlier
 * cycle of the 16-bit counter. Owned by one thread.
 */
public final class SendHistory {
    /** Packets kept by default: about two seconds of 2.5 Mbit/s video at 1200-byte packets. */
    public static final int DEFAULT_CAPACITY = 512;
    /** Largest packet kept by default: an Ethernet MTU's worth of RTP. */
    public static final int DEFAULT_MAX_PACKET_LENGTH = 1500;
    private static final long EMPTY = Long.MIN_VALUE;

    private final int mask;
    private final int slotLength;
    private final byte[] slots;
    private final int[] lengths;
    private final long[] extendedSeqs;
    private boolean empty = true;
    private long highest;

    /** A history of {@value #DEFAULT_CAPACITY} packets of up to {@value #DEFAULT_MAX_PACKET_LENGTH} bytes. */
    public SendHistory() {
        this(DEFAULT_CAPACITY, DEFAULT_MAX_PACKET_LENGTH);
    }

    /**
     * @param capacity packets kept: a power of two from 1 to 32768
     * @param maxPacketLength largest packet kept; longer ones are refused by {@link #store}
     */
    public SendHistory(int capacity, int maxPacketLength) {
        if (capacity <= 0 || capacity > 0x8000 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two from 1 to 32768, got " + capacity);
        }
        if (maxPacketLength < RtpHeader.FIXED_HEADER_LENGTH || (long) maxPacketLength * capacity > 1 << 28) {
            throw new IllegalArgumentException("max packet length must be at least " + RtpHeader.FIXED_HEADER_LENGTH
                    + " and the history at most 256 MiB, got " + maxPacketLength + " x " + capacity);
        }
        this.mask = capacity - 1;
        this.slotLength = maxPacketLength;
        this.slots = new byte[capacity * maxPacketLength];
        this.lengths = new int[capacity];
        this.extendedSeqs = new long[capacity];
        clear();
    }

    /** Number of packets the history keeps. */
    public int capacity() {
        return mask + 1;
    }

    /**
     * Copies a sent RTP packet into the history under its sequence number.
     *
     * @return false, storing nothing, when the bytes are not a valid RTP packet, are longer than the slots, or are
     *     older than everything the history still holds
     */
    public boolean store(byte[] buf, int off, int len) {
        if (len > slotLength || !RtpHeader.isValid(buf, off, len)) {
            return false;
        }
        long seq = extend(RtpHeader.sequenceNumber(buf, off));
        if (!empty && seq <= highest - capacity()) {
            return false;
        }
        int slot = (int) seq & mask;
        System.arraycopy(buf, off, slots, slot * slotLength, len);
        lengths[slot] = len;
        extendedSeqs[slot] = seq;
        if (empty || seq > highest) {
            highest = seq;
            empty = false;
        }
        return true;
    }

    /** {@link #store(byte[], int, int)} of a buffer's window. */
    public boolean store(PacketBuffer packet) {
        return store(packet.array(), packet.offset(), packet.length());
    }

    /**
     * Copies the packet with sequence number {@code seq} into {@code out}, making it {@code out}'s window.
     *
     * @return false, leaving {@code out} untouched, when that packet was never stored, is not among the last
     *     {@link #capacity()} sequence numbers, or has been overwritten
     * @throws IndexOutOfBoundsException when {@code out} is smaller than the stored packet
     */
    public boolean get(int seq, PacketBuffer out) {
        if (empty) {
            return false;
        }
        long wanted = extend(seq & 0xFFFF);
        int slot = (int) wanted & mask;
        if (wanted > highest || wanted <= highest - capacity() || extendedSeqs[slot] != wanted) {
            return false;
        }
        out.copyFrom(slots, slot * slotLength, lengths[slot]);
        return true;
    }

    /** The sequence number of the newest packet stored, or -1 when the history is empty. */
    public int highestSequence() {
        return empty ? -1 : (int) highest & 0xFFFF;
    }

    /** Forgets every packet, e.g. when the stream's sequence numbering restarts. */
    public void clear() {
        Arrays.fill(extendedSeqs, EMPTY);
        empty = true;
        highest = 0;
    }

    /** The extended number nearest the highest stored one whose low 16 bits are {@code seq}. */
    private long extend(int seq) {
        return empty ? seq : highest + (short) (seq - (int) highest);
    }
}
