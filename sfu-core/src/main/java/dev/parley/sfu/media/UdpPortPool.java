package dev.parley.sfu.media;

import dev.parley.sfu.MediaPortRange;
import java.util.BitSet;

/**
 * The ports of a {@link MediaPortRange} not in use. Ports are handed out round-robin, so a port just released
 * (whose old peer may still send to it for a moment) is the last to be reused. Thread-safe.
 */
final class UdpPortPool {
    private final MediaPortRange range;
    private final BitSet used;
    /** Ports another program held when Parley tried them; tried again once everything else is taken. */
    private final BitSet skipped;
    private int next;
    private int inUse;

    UdpPortPool(MediaPortRange range) {
        this.range = range;
        this.used = new BitSet(range.size());
        this.skipped = new BitSet(range.size());
    }

    MediaPortRange range() {
        return range;
    }

    /** A free port, marked used; -1 when none is free. */
    synchronized int take() {
        int size = range.size();
        int fallback = -1;
        for (int i = 0; i < size; i++) {
            int index = (next + i) % size;
            if (!used.get(index)) {
                if (skipped.get(index)) {
                    if (fallback < 0) {
                        fallback = index;
                    }
                    continue;
                }
                return mark(index);
            }
        }
        if (fallback >= 0) {
            skipped.clear(fallback);
            return mark(fallback);
        }
        return -1;
    }

    private int mark(int index) {
        used.set(index);
        inUse++;
        next = (index + 1) % range.size();
        return range.first() + index;
    }

    synchronized void release(int port) {
        int index = port - range.first();
        if (used.get(index)) {
            used.clear(index);
            inUse--;
        }
    }

    synchronized void skip(int port) {
        skipped.set(port - range.first());
    }

    synchronized int inUse() {
        return inUse;
    }

    synchronized int free() {
        return range.size() - inUse;
    }
}
