package dev.parley.sfu.media;

import dev.parley.sfu.packet.PacketBuffer;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;

/**
 * Datagrams other media loops received for transports of one loop (on the shared port, the kernel spreads remote
 * addresses over the loops' sockets without knowing which room they belong to). A bounded ring of preallocated
 * slots with many producers (the other loops) and one consumer (the owning loop), after Dmitry Vyukov's bounded
 * queue: a producer claims a slot by advancing the tail with a CAS, copies the datagram in and publishes the slot
 * by its sequence number; the consumer copies it out and frees the slot. No locks, no allocation per packet;
 * when the consumer is a whole ring behind, the datagram is refused and the caller counts it dropped, as a full
 * socket buffer would. Each producer's datagrams come out in the order it offered them.
 */
final class HandoffRing {
    private static final VarHandle TAIL;
    private static final VarHandle SEQUENCE = MethodHandles.arrayElementVarHandle(long[].class);

    static {
        try {
            TAIL = MethodHandles.lookup().findVarHandle(HandoffRing.class, "tail", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int mask;
    /**
     * Per slot: equal to the position a producer may claim it at when free, that position + 1 once its datagram is
     * published (so the consumer at that position may take it).
     */
    private final long[] sequence;
    private final byte[][] data;
    private final int[] lengths;
    private final InetSocketAddress[] senders;
    /** What the datagram is for: null for the owner's shared UDP socket, else an ICE-TCP connection. */
    private final Object[] targets;
    /** Next position a producer claims. */
    @SuppressWarnings("unused")
    private volatile long tail;
    /** Next position the consumer reads; the consumer's own. */
    private long head;

    /** @param slots a power of two */
    HandoffRing(int slots) {
        if (slots < 2 || Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("slots must be a power of two of at least 2, was " + slots);
        }
        mask = slots - 1;
        sequence = new long[slots];
        for (int i = 0; i < slots; i++) {
            sequence[i] = i;
        }
        data = new byte[slots][PacketBuffer.MAX_DATAGRAM];
        lengths = new int[slots];
        senders = new InetSocketAddress[slots];
        targets = new Object[slots];
    }

    /** Any producer: copies the datagram in; false when the ring is full (the datagram is not taken). */
    boolean offer(byte[] buf, int off, int len, InetSocketAddress from, Object target) {
        long t = (long) TAIL.getVolatile(this);
        int i;
        while (true) {
            i = (int) t & mask;
            long s = (long) SEQUENCE.getAcquire(sequence, i);
            if (s == t) {
                if (TAIL.compareAndSet(this, t, t + 1)) {
                    break;
                }
                t = (long) TAIL.getVolatile(this);
            } else if (s < t) {
                return false; // the slot still holds the datagram of one lap ago: full
            } else {
                t = (long) TAIL.getVolatile(this); // another producer took this position
            }
        }
        System.arraycopy(buf, off, data[i], 0, len);
        lengths[i] = len;
        senders[i] = from;
        targets[i] = target;
        SEQUENCE.setRelease(sequence, i, t + 1);
        return true;
    }

    /** Consumer: whether no published datagram is waiting. */
    boolean isEmpty() {
        long h = head;
        return (long) SEQUENCE.getAcquire(sequence, (int) h & mask) != h + 1;
    }

    /**
     * Consumer: copies the oldest datagram into {@code into} and hands it to {@code sink}, then frees its slot.
     * False when none is published yet.
     */
    boolean poll(PacketBuffer into, Sink sink) {
        long h = head;
        int i = (int) h & mask;
        if ((long) SEQUENCE.getAcquire(sequence, i) != h + 1) {
            return false;
        }
        int len = lengths[i];
        System.arraycopy(data[i], 0, into.array(), 0, len);
        into.setWindow(0, len);
        InetSocketAddress from = senders[i];
        Object target = targets[i];
        senders[i] = null;
        targets[i] = null;
        head = h + 1;
        SEQUENCE.setRelease(sequence, i, h + mask + 1);
        sink.accept(into, from, target);
        return true;
    }

    /** Where polled datagrams go, on the consumer's loop. */
    interface Sink {
        void accept(PacketBuffer packet, InetSocketAddress from, Object target);
    }
}
