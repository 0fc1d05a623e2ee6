package dev.parley.recorder.media;

import dev.parley.sfu.rtp.RtpHeader;
import java.util.function.Consumer;

/**
 * Puts one RTP stream's packets back in sequence order. A packet is released as soon as every packet before it
 * has been released; a hole in the sequence is given up on once a packet after it has waited for the deadline,
 * and the next packet released is marked {@link OrderedPacket#afterGap}. Duplicates and packets arriving after
 * their place was released are dropped and counted.
 *
 * <p>The first packet is held for the deadline too, so that packets sent before it but overtaken by it are
 * still released in order.
 *
 * <p>Sequence numbers (16 bits) and timestamps (32 bits) are unrolled to 64 bits across wrap-arounds. Memory is
 * bounded: {@code capacity} slots of at most {@link #MAX_PACKET} bytes, allocated on first use. A jump forward
 * or backward by more than the capacity is taken as a restart of the stream: what is held is released (with
 * its holes) and the stream continues from the new number.
 */
final class JitterBuffer {
    /** Largest RTP packet kept; larger ones cannot come from a WebRTC sender and are refused. */
    static final int MAX_PACKET = 1600;

    private final int mask;
    private final long deadlineNanos;
    private final Consumer<OrderedPacket> sink;
    private final byte[][] slots;
    private final int[] lengths;
    private final long[] sequences;
    private final long[] timestamps;
    private final long[] arrivals;
    private final OrderedPacket out = new OrderedPacket();

    private boolean started;
    private long next;
    private long highest;
    private long timestampReference;
    private int held;
    private boolean gapPending;
    /** Until the first packet's deadline nothing is released, so packets sent before it can still come first. */
    private boolean priming;
    private long primingUntil;

    private long received;
    private long lost;
    private long late;
    private long duplicates;
    private long refused;
    private long restarts;

    /**
     * @param capacity slots, a power of two (e.g. 512: above two seconds of 2 Mbit/s video)
     * @param deadlineNanos how long a packet behind a hole waits for the hole to fill
     */
    JitterBuffer(int capacity, long deadlineNanos, Consumer<OrderedPacket> sink) {
        if (capacity < 2 || Integer.bitCount(capacity) != 1 || capacity > 1 << 14) {
            throw new IllegalArgumentException("jitter buffer capacity must be a power of two 2..16384, got "
                    + capacity);
        }
        if (deadlineNanos < 0) {
            throw new IllegalArgumentException("jitter buffer deadline must not be negative");
        }
        this.mask = capacity - 1;
        this.deadlineNanos = deadlineNanos;
        this.sink = sink;
        this.slots = new byte[capacity][];
        this.lengths = new int[capacity];
        this.sequences = new long[capacity];
        this.timestamps = new long[capacity];
        this.arrivals = new long[capacity];
        java.util.Arrays.fill(lengths, -1);
    }

    /**
     * Takes one RTP packet (copied) and releases whatever is now in order or past its deadline.
     *
     * @return false when the bytes are not an RTP packet this buffer keeps (refused, nothing changed)
     */
    boolean push(byte[] buf, int off, int len, long nowNanos) {
        if (!RtpHeader.isValid(buf, off, len) || len > MAX_PACKET
                || RtpHeader.payloadLength(buf, off, len) <= 0) {
            refused++;
            return false;
        }
        received++;
        int seq16 = RtpHeader.sequenceNumber(buf, off);
        int ts32 = RtpHeader.timestamp(buf, off);
        if (!started) {
            started = true;
            next = seq16;
            highest = seq16;
            timestampReference = Integer.toUnsignedLong(ts32);
            priming = true;
            primingUntil = nowNanos + deadlineNanos;
        }
        long seq = highest + (short) (seq16 - (int) highest);
        if (seq >= next + slots.length || seq < next - slots.length) {
            // Too far from the window to be reordering: the sender restarted its numbering (or lost a lot).
            restarts++;
            flush();
            next = seq;
            highest = seq;
            gapPending = true;
            priming = true;
            primingUntil = nowNanos + deadlineNanos;
        } else if (seq < next && priming && highest - seq < slots.length) {
            next = seq; // nothing released yet: the stream starts earlier than its first arrival said
        } else if (seq < next) {
            late++;
            return true;
        }
        int slot = (int) seq & mask;
        if (lengths[slot] >= 0) {
            duplicates++;
            return true;
        }
        long timestamp = timestampReference + (ts32 - (int) timestampReference);
        if (seq > highest) {
            highest = seq;
            timestampReference = timestamp;
        }
        if (slots[slot] == null) {
            slots[slot] = new byte[MAX_PACKET];
        }
        System.arraycopy(buf, off, slots[slot], 0, len);
        lengths[slot] = len;
        sequences[slot] = seq;
        timestamps[slot] = timestamp;
        arrivals[slot] = nowNanos;
        held++;
        drain(nowNanos);
        return true;
    }

    /** Releases what has waited past the deadline; call it regularly when packets stop coming. */
    void poll(long nowNanos) {
        drain(nowNanos);
    }

    /** Releases everything held, in order, giving up on every hole (end of the stream or of a sender). */
    void flush() {
        priming = false;
        while (held > 0) {
            releaseOrSkip();
        }
    }

    /** Forgets everything without releasing it; the next packet starts a new stream. */
    void reset() {
        java.util.Arrays.fill(lengths, -1);
        held = 0;
        started = false;
        priming = false;
        gapPending = false;
    }

    private void drain(long nowNanos) {
        if (priming) {
            if (nowNanos - primingUntil < 0) {
                return;
            }
            priming = false;
        }
        while (held > 0) {
            if (lengths[(int) next & mask] >= 0) {
                releaseOrSkip();
                continue;
            }
            long expiredUpTo = Long.MIN_VALUE;
            for (long s = next + 1; s <= highest; s++) {
                int slot = (int) s & mask;
                if (lengths[slot] >= 0 && nowNanos - arrivals[slot] >= deadlineNanos) {
                    expiredUpTo = s;
                }
            }
            if (expiredUpTo == Long.MIN_VALUE) {
                return;
            }
            while (next <= expiredUpTo) {
                releaseOrSkip();
            }
        }
    }

    private void releaseOrSkip() {
        int slot = (int) next & mask;
        if (lengths[slot] < 0) {
            lost++;
            gapPending = true;
            next++;
            return;
        }
        byte[] packet = slots[slot];
        int len = lengths[slot];
        out.array = packet;
        out.payloadOffset = RtpHeader.payloadOffset(packet, 0);
        out.payloadLength = RtpHeader.payloadLength(packet, 0, len);
        out.sequence = sequences[slot];
        out.timestamp = timestamps[slot];
        out.marker = RtpHeader.marker(packet, 0);
        out.ssrc = RtpHeader.ssrc(packet, 0);
        out.arrivalNanos = arrivals[slot];
        out.afterGap = gapPending;
        lengths[slot] = -1;
        held--;
        gapPending = false;
        next++;
        sink.accept(out);
    }

    long received() {
        return received;
    }

    /** Sequence numbers never received before the buffer gave up on them. */
    long lost() {
        return lost;
    }

    /** Packets that came after their place had been released (given up on or already delivered). */
    long late() {
        return late;
    }

    long duplicates() {
        return duplicates;
    }

    /** Inputs that were not RTP, were empty, or were larger than {@link #MAX_PACKET}. */
    long refused() {
        return refused;
    }

    /** Jumps in the sequence too large to be reordering, taken as a new start of the stream. */
    long restarts() {
        return restarts;
    }

    int held() {
        return held;
    }
}
