package dev.parley.loadtest;

import java.util.concurrent.locks.LockSupport;

/**
 * Sends at a fixed packet rate on its own thread: packet {@code i} is due at {@code start + i / rate}, so a late
 * wake-up is caught up rather than lowering the rate.
 */
public final class PacedSender implements AutoCloseable {
    /** Sends packet number {@code index}; returns false when it could not be sent. */
    public interface Send {
        boolean send(long index);
    }

    private final Thread thread;
    private volatile boolean running = true;
    private volatile long sent;

    public PacedSender(String name, int packetsPerSecond, Send send) {
        long interval = 1_000_000_000L / packetsPerSecond;
        thread = new Thread(() -> {
            long start = System.nanoTime();
            long i = 0;
            while (running) {
                long due = start + i * interval;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                    continue;
                }
                if (send.send(i)) {
                    sent++;
                }
                i++;
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Packets sent so far (approximate while running). */
    public long sent() {
        return sent;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(2000);
    }
}
