package dev.parley.sfu.media;

import dev.parley.sfu.packet.PacketBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The queue between the media loop (the one producer) and a tap's thread (the one consumer): a ring of byte slots
 * allocated once, so that queueing a packet is a copy and two counter updates, never an allocation or a lock.
 *
 * <p>{@link #written} counts entries ever written and {@link #read} entries ever consumed; a slot is the
 * producer's again only once the consumer moved {@code read} past it, so the consumer may read a slot in place.
 */
final class TapRing {
    static final int SLOT_BYTES = PacketBuffer.MAX_DATAGRAM;
    static final byte RTP = 1;
    static final byte SENDER_REPORT = 2;

    private final int capacity;
    private final byte[] data;
    private final int[] lengths;
    private final long[] arrivals;
    private final byte[] kinds;
    private final TapFeed[] feeds;
    /** Written by the producer only; a volatile write, so that a consumer about to park sees it (see MediaTap). */
    private final AtomicLong written = new AtomicLong();
    /** Written by the consumer only. */
    private final AtomicLong read = new AtomicLong();

    TapRing(int capacity) {
        this.capacity = capacity;
        this.data = new byte[capacity * SLOT_BYTES];
        this.lengths = new int[capacity];
        this.arrivals = new long[capacity];
        this.kinds = new byte[capacity];
        this.feeds = new TapFeed[capacity];
    }

    int capacity() {
        return capacity;
    }

    /** Producer: copies the bytes into the next free slot; false (nothing written) when the ring is full. */
    boolean offer(TapFeed feed, byte kind, byte[] buf, int off, int len, long arrivalNanos) {
        long w = written.getPlain();
        if (w - read.getAcquire() >= capacity || len > SLOT_BYTES) {
            return false;
        }
        int slot = (int) (w % capacity);
        System.arraycopy(buf, off, data, slot * SLOT_BYTES, len);
        lengths[slot] = len;
        arrivals[slot] = arrivalNanos;
        kinds[slot] = kind;
        feeds[slot] = feed;
        written.set(w + 1);
        return true;
    }

    /** Entries written so far (any thread). */
    long written() {
        return written.get();
    }

    /** Consumer: entries consumed so far. */
    long read() {
        return read.getPlain();
    }

    /** Consumer: hands the slot of entry {@code index} back to the producer (and every one before it). */
    void release(long index) {
        feeds[slot(index)] = null;
        read.setRelease(index + 1);
    }

    /** Consumer: drops everything queued (the tap is closing). */
    void clear() {
        java.util.Arrays.fill(feeds, null);
        read.setRelease(written.get());
    }

    int slot(long index) {
        return (int) (index % capacity);
    }

    byte[] data() {
        return data;
    }

    int slotOffset(int slot) {
        return slot * SLOT_BYTES;
    }

    int length(int slot) {
        return lengths[slot];
    }

    long arrival(int slot) {
        return arrivals[slot];
    }

    byte kind(int slot) {
        return kinds[slot];
    }

    TapFeed feed(int slot) {
        return feeds[slot];
    }
}
