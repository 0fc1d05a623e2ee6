package dev.parley.sfu.media;

import dev.parley.sfu.packet.PacketBuffer;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;

/**
 * Datagrams one media loop received for transports another loop owns (on the shared port, the kernel spreads
 * remote addresses over the loops' sockets without knowing which room they belong to). A bounded
 * single-producer single-consumer ring of preallocated slots: the receiving loop copies the datagram into a
 * slot, the owning loop copies it out. No locks and no allocation per packet; when the owner falls behind by
 * the whole ring, the datagram is refused and the caller counts it dropped, as a full socket buffer would.
 */
final class HandoffRing {
    private static final VarHandle HEAD;
    private static final VarHandle TAIL;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            HEAD = l.findVarHandle(HandoffRing.class, "head", long.class);
            TAIL = l.findVarHandle(HandoffRing.class, "tail", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int mask;
    private final byte[][] data;
    private final int[] lengths;
    private final InetSocketAddress[] senders;
    /** What the datagram is for: null for the owner's shared UDP socket, else an ICE-TCP connection. */
    private final Object[] targets;
    /** Next slot the consumer reads; written by the consumer only. */
    @SuppressWarnings("unused")
    private volatile long head;
    /** Next slot the producer writes; written by the producer only. */
    @SuppressWarnings("unused")
    private volatile long tail;
    /** Producer-local copy of head, refreshed only when the ring looks full. */
    private long cachedHead;

    /** @param slots a power of two */
    HandoffRing(int slots) {
        if (slots < 2 || Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("slots must be a power of two of at least 2, was " + slots);
        }
        mask = slots - 1;
        data = new byte[slots][PacketBuffer.MAX_DATAGRAM];
        lengths = new int[slots];
        senders = new InetSocketAddress[slots];
        targets = new Object[slots];
    }

    /** Producer: copies the datagram in; false when the ring is full (the datagram is not taken). */
    boolean offer(byte[] buf, int off, int len, InetSocketAddress from, Object target) {
        long t = (long) TAIL.getOpaque(this);
        if (t - cachedHead > mask) {
            cachedHead = (long) HEAD.getAcquire(this);
            if (t - cachedHead > mask) {
                return false;
            }
        }
        int i = (int) t & mask;
        System.arraycopy(buf, off, data[i], 0, len);
        lengths[i] = len;
        senders[i] = from;
        targets[i] = target;
        TAIL.setRelease(this, t + 1);
        return true;
    }

    /** Consumer: whether a datagram is waiting. */
    boolean isEmpty() {
        return (long) HEAD.getOpaque(this) == (long) TAIL.getAcquire(this);
    }

    /**
     * Consumer: copies the oldest datagram into {@code into} and hands it to {@code sink}, then frees its slot.
     * False when the ring is empty.
     */
    boolean poll(PacketBuffer into, Sink sink) {
        long h = (long) HEAD.getOpaque(this);
        if (h == (long) TAIL.getAcquire(this)) {
            return false;
        }
        int i = (int) h & mask;
        int len = lengths[i];
        System.arraycopy(data[i], 0, into.array(), 0, len);
        into.setWindow(0, len);
        InetSocketAddress from = senders[i];
        Object target = targets[i];
        senders[i] = null;
        targets[i] = null;
        HEAD.setRelease(this, h + 1);
        sink.accept(into, from, target);
        return true;
    }

    /** Where polled datagrams go, on the consumer's loop. */
    interface Sink {
        void accept(PacketBuffer packet, InetSocketAddress from, Object target);
    }
}
