package dev.parley.sfu.tap;

import java.util.concurrent.ThreadFactory;

/**
 * How a tap queues and delivers.
 *
 * @param queuePackets how many packets the queue between the media loop and the tap's thread holds, each in a
 *     preallocated slot of about 1.6 kB; when it is full, new packets are dropped and counted
 * @param threadFactory makes the one thread that calls the listener (e.g. {@code Thread.ofVirtual().factory()});
 *     null for a daemon platform thread of Parley's own
 */
public record TapOptions(int queuePackets, ThreadFactory threadFactory) {
    /** Smallest queue accepted. */
    public static final int MIN_QUEUE_PACKETS = 16;
    /** Largest queue accepted (about 105 MB). */
    public static final int MAX_QUEUE_PACKETS = 65_536;
    /** Default queue: about two seconds of a 1.5 Mbit/s camera plus audio, 1.6 MB. */
    public static final int DEFAULT_QUEUE_PACKETS = 1024;

    public TapOptions {
        if (queuePackets < MIN_QUEUE_PACKETS || queuePackets > MAX_QUEUE_PACKETS) {
            throw new IllegalArgumentException("a tap's queue holds " + MIN_QUEUE_PACKETS + " to " + MAX_QUEUE_PACKETS
                    + " packets, got " + queuePackets);
        }
    }

    /** The default queue and thread. */
    public static TapOptions defaults() {
        return new TapOptions(DEFAULT_QUEUE_PACKETS, null);
    }

    /** A queue of {@code queuePackets} packets and Parley's own thread. */
    public static TapOptions withQueue(int queuePackets) {
        return new TapOptions(queuePackets, null);
    }
}
