package dev.parley.ai;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The bridge's counters, live and thread-safe, for a metrics registry to read at scrape time (Parley's server
 * registers them as Prometheus counters with callbacks). Counters only grow; {@link #inFlight()} and
 * {@link #queued()} are gauges.
 */
public final class AiMetrics {
    /** Upper bounds of the call latency buckets, in seconds (a last, unbounded bucket follows). */
    public static final double[] LATENCY_BUCKETS_SECONDS = {0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private final LongAdder segments = new LongAdder();
    private final LongAdder segmentsSent = new LongAdder();
    private final LongAdder transcripts = new LongAdder();
    private final LongAdder emotions = new LongAdder();
    private final LongAdder[] drops = new LongAdder[AiDropReason.values().length];
    private final LongAdder calls = new LongAdder();
    private final LongAdder callFailures = new LongAdder();
    private final LongAdder latencyNanos = new LongAdder();
    private final AtomicLongArray latencyBuckets = new AtomicLongArray(LATENCY_BUCKETS_SECONDS.length + 1);
    private final LongAdder breakerOpenings = new LongAdder();
    private final LongAdder tapDroppedPackets = new LongAdder();
    private final java.util.function.IntSupplier queued;
    private final java.util.function.IntSupplier inFlight;

    AiMetrics(java.util.function.IntSupplier queued, java.util.function.IntSupplier inFlight) {
        this.queued = queued;
        this.inFlight = inFlight;
        for (int i = 0; i < drops.length; i++) {
            drops[i] = new LongAdder();
        }
    }

    /** Speech segments cut from meeting audio. */
    public long segments() {
        return segments.sum();
    }

    /** Segments sent to the ASR model (each is one call, retries aside). */
    public long segmentsSent() {
        return segmentsSent.sum();
    }

    /** Transcript segments handed to the listener. */
    public long transcripts() {
        return transcripts.sum();
    }

    /** Emotion samples handed to the listener. */
    public long emotions() {
        return emotions.sum();
    }

    /** Segments not transcribed, by reason. */
    public long drops(AiDropReason reason) {
        return drops[reason.ordinal()].sum();
    }

    /** Inference calls made (ASR and emotion, live and one-shot). */
    public long calls() {
        return calls.sum();
    }

    /** Calls that failed (any reason). */
    public long callFailures() {
        return callFailures.sum();
    }

    /** Sum of all calls' latency, seconds. */
    public double callLatencySecondsSum() {
        return latencyNanos.sum() / 1e9;
    }

    /**
     * Calls per latency bucket, not cumulative: index i counts calls faster than
     * {@code LATENCY_BUCKETS_SECONDS[i]} (and slower than the bucket before); the last index the rest.
     */
    public long[] callLatencyBuckets() {
        long[] out = new long[latencyBuckets.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = latencyBuckets.get(i);
        }
        return out;
    }

    /** How many times an endpoint's circuit breaker opened. */
    public long breakerOpenings() {
        return breakerOpenings.sum();
    }

    /** Packets the meetings' taps dropped (the bridge's tap threads fell behind), including closed meetings. */
    public long tapDroppedPackets() {
        return tapDroppedPackets.sum();
    }

    /** Segments waiting for a call now. */
    public int queued() {
        return queued.getAsInt();
    }

    /** Calls in flight now. */
    public int inFlight() {
        return inFlight.getAsInt();
    }

    void segment() {
        segments.increment();
    }

    void sent() {
        segmentsSent.increment();
    }

    void transcript() {
        transcripts.increment();
    }

    void emotion() {
        emotions.increment();
    }

    void drop(AiDropReason reason) {
        drops[reason.ordinal()].increment();
    }

    void call(long nanos, boolean ok) {
        calls.increment();
        if (!ok) {
            callFailures.increment();
        }
        latencyNanos.add(nanos);
        double seconds = nanos / 1e9;
        int i = 0;
        while (i < LATENCY_BUCKETS_SECONDS.length && seconds > LATENCY_BUCKETS_SECONDS[i]) {
            i++;
        }
        latencyBuckets.incrementAndGet(i);
    }

    void breakerOpened() {
        breakerOpenings.increment();
    }

    void tapDropped(long packets) {
        tapDroppedPackets.add(packets);
    }
}
