package dev.parley.sfu.media;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Packet counters of the media path: written by the media threads without locks, read by metrics scrapes. One set
 * serves every media loop: each {@link LongAdder} keeps a cell per contending thread and sums them when read, so
 * the loops do not share a counter's cache line.
 */
public final class MediaCounters {
    private final LongAdder received = new LongAdder();
    private final LongAdder forwarded = new LongAdder();
    private final LongAdder handedOff = new LongAdder();
    private final LongAdder[] dropped = new LongAdder[DropReason.values().length];

    MediaCounters() {
        for (int i = 0; i < dropped.length; i++) {
            dropped[i] = new LongAdder();
        }
    }

    void received() {
        received.increment();
    }

    void forwarded() {
        forwarded.increment();
    }

    void handedOff() {
        handedOff.increment();
    }

    void dropped(DropReason reason) {
        dropped[reason.ordinal()].increment();
    }

    /** Datagrams read from the media socket. */
    public long receivedPackets() {
        return received.sum();
    }

    /** RTP packets sent to subscribers (one per subscriber per packet). */
    public long forwardedPackets() {
        return forwarded.sum();
    }

    /**
     * Datagrams one media loop's socket on the shared port received for a transport of another loop, and handed
     * over to that loop (the kernel spreads senders over the loops' sockets without knowing their rooms).
     */
    public long handedOffPackets() {
        return handedOff.sum();
    }

    public long droppedPackets(DropReason reason) {
        return dropped[reason.ordinal()].sum();
    }

    public Map<DropReason, Long> droppedByReason() {
        Map<DropReason, Long> m = new EnumMap<>(DropReason.class);
        for (DropReason r : DropReason.values()) {
            m.put(r, droppedPackets(r));
        }
        return m;
    }
}
