package dev.parley.loadtest;

import java.util.Locale;

/**
 * One-way latencies in nanoseconds, counted in log-linear buckets: below 128 ns each value has a bucket of its
 * own, above that every power of two is split into 128 equal buckets, so a percentile is known to within 1/128
 * (0.8%) of its value. Recording is an index computation and an increment into a preallocated array (nothing
 * allocated, no lock), for a receive thread that records every packet.
 *
 * <p>One writer: the thread that records. Read the figures after that thread has stopped (a join orders them), or
 * merge histograms into one with {@link #add} on the reading thread.
 */
public final class LatencyHistogram {
    private static final int SUB_BITS = 7;
    private static final int SUB = 1 << SUB_BITS;
    /** Values from 2^36 ns (69 s) on count in the last bucket; {@link #max()} stays exact. */
    private static final int MAX_EXPONENT = 36;
    private static final long LARGEST = (1L << MAX_EXPONENT) - 1;

    private final long[] counts = new long[(MAX_EXPONENT - SUB_BITS + 1) * SUB];
    private long count;
    private long max;

    /** Counts one latency; a negative one (a clock that cannot go back says it is an error) counts as 0. */
    public void record(long nanos) {
        long v = Math.max(0, nanos);
        counts[index(Math.min(v, LARGEST))]++;
        count++;
        if (v > max) {
            max = v;
        }
    }

    /** Adds {@code other}'s counts to this one's. */
    public void add(LatencyHistogram other) {
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
        count += other.count;
        max = Math.max(max, other.max);
    }

    /** Latencies recorded. */
    public long count() {
        return count;
    }

    /** The largest latency recorded, exactly; 0 when none was. */
    public long max() {
        return max;
    }

    /**
     * The {@code q}-quantile (0 to 1) by nearest rank: the highest value of the bucket holding the
     * {@code ceil(q * count)}-th smallest latency (never above {@link #max()}, and the maximum itself in the last
     * bucket, which also holds the values too large for any); 0 when nothing was recorded.
     */
    public long quantile(double q) {
        if (count == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(q * count));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return i == counts.length - 1 ? max : Math.min(highest(i), max); // the last bucket holds the clamped
            }
        }
        return max;
    }

    /**
     * The line both load generators print, so that {@code bench/forwarding.sh} reads Parley's and the raw relay's
     * figures alike: {@code p50 412 us, p90 530 us, p99 901 us, p99.9 1830 us, max 5210 us (35200 packets)}.
     */
    public String describe() {
        return String.format(Locale.ROOT, "p50 %d us, p90 %d us, p99 %d us, p99.9 %d us, max %d us (%d packets)",
                micros(quantile(0.50)), micros(quantile(0.90)), micros(quantile(0.99)), micros(quantile(0.999)),
                micros(max), count);
    }

    private static long micros(long nanos) {
        return Math.round(nanos / 1000.0);
    }

    static int index(long v) {
        if (v < SUB) {
            return (int) v;
        }
        int exponent = 63 - Long.numberOfLeadingZeros(v); // >= SUB_BITS
        int group = exponent - SUB_BITS + 1;
        int sub = (int) (v >>> (exponent - SUB_BITS)) - SUB;
        return group * SUB + sub;
    }

    /** The highest value that counts in bucket {@code i}. */
    static long highest(int i) {
        if (i < SUB) {
            return i;
        }
        int group = i / SUB;
        long lowest = (long) (SUB + i % SUB) << (group - 1);
        return lowest + (1L << (group - 1)) - 1;
    }
}
