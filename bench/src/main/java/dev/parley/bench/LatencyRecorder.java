package dev.parley.bench;

import java.util.Arrays;

/**
 * One-way latencies seen by one receiver during the measured window, kept in a preallocated array so that
 * recording allocates nothing. Written by the receiver's thread only; read after the window closed.
 */
final class LatencyRecorder {
    private final long[] samples;
    private volatile boolean recording;
    private int count;
    private long received;

    LatencyRecorder(int capacity) {
        this.samples = new long[capacity];
    }

    void start() {
        recording = true;
    }

    void stop() {
        recording = false;
    }

    /** Receiver thread: a packet sent at {@code sentNanos} arrived at {@code receivedNanos}. */
    void record(long sentNanos, long receivedNanos) {
        if (!recording) {
            return;
        }
        received++;
        if (count < samples.length) {
            samples[count++] = receivedNanos - sentNanos;
        }
    }

    /** Packets that arrived while recording (more than the samples kept when the array filled up). */
    long received() {
        return received;
    }

    /** All recorders' samples together, sorted. */
    static long[] merged(Iterable<LatencyRecorder> recorders) {
        int total = 0;
        for (LatencyRecorder r : recorders) {
            total += r.count;
        }
        long[] all = new long[total];
        int at = 0;
        for (LatencyRecorder r : recorders) {
            System.arraycopy(r.samples, 0, all, at, r.count);
            at += r.count;
        }
        Arrays.sort(all);
        return all;
    }

    /** The {@code p}-quantile (0..1) of sorted samples, nearest rank; 0 when empty. */
    static long quantile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
    }
}
