package dev.parley.sfu.srtp;

import java.util.Arrays;

/**
 * A small, bounded map from SSRC to crypto context that evicts the least recently used entry when full.
 *
 * <p>Lookups scan a primitive {@code int[]} (no boxing, no allocation) after checking the entry that answered
 * last, which is the common case for a run of packets from one stream. The capacity is a few dozen, so the scan
 * is cheaper than hashing. Not thread-safe: owned by one {@link SrtpSession} direction.
 */
final class SsrcContextCache<C> {
    private final int[] ssrcs;
    private final Object[] contexts;
    private final long[] lastUse;
    private int size;
    private int lastHit;
    private long clock;

    SsrcContextCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        ssrcs = new int[capacity];
        contexts = new Object[capacity];
        lastUse = new long[capacity];
    }

    /** The context for {@code ssrc}, marked as just used, or null. */
    @SuppressWarnings("unchecked")
    C get(int ssrc) {
        int i = lastHit;
        if (i >= size || ssrcs[i] != ssrc) {
            i = indexOf(ssrc);
            if (i < 0) {
                return null;
            }
            lastHit = i;
        }
        lastUse[i] = ++clock;
        return (C) contexts[i];
    }

    /** Adds (or replaces) the context for {@code ssrc}, evicting the least recently used entry if full. */
    void put(int ssrc, C context) {
        int i = indexOf(ssrc);
        if (i < 0) {
            i = size < ssrcs.length ? size++ : leastRecentlyUsed();
        }
        ssrcs[i] = ssrc;
        contexts[i] = context;
        lastUse[i] = ++clock;
        lastHit = i;
    }

    int size() {
        return size;
    }

    int capacity() {
        return ssrcs.length;
    }

    boolean contains(int ssrc) {
        return indexOf(ssrc) >= 0;
    }

    void clear() {
        Arrays.fill(contexts, null);
        size = 0;
        lastHit = 0;
    }

    private int indexOf(int ssrc) {
        for (int i = 0; i < size; i++) {
            if (ssrcs[i] == ssrc) {
                return i;
            }
        }
        return -1;
    }

    private int leastRecentlyUsed() {
        int oldest = 0;
        for (int i = 1; i < size; i++) {
            if (lastUse[i] < lastUse[oldest]) {
                oldest = i;
            }
        }
        return oldest;
    }
}
