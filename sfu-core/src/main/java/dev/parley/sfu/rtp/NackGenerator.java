package dev.parley.sfu.rtp;

import java.util.Arrays;

/**
 * Notices packets missing from one incoming video stream and decides when to ask the sender for them again
 * (generic NACK, RFC 4585), and which arrivals are repeats to drop.
 *
 * <p>A gap in the sequence numbers makes its numbers missing. A missing packet is first asked for once it has
 * been missing for {@link #REORDER_WAIT_NANOS} (a packet merely reordered arrives within that and is never
 * asked for), then again every round trip and a half (the round trip is measured from NACKs to the
 * retransmissions they bring), at most {@link #MAX_REQUESTS} times, and given up {@link #GIVE_UP_NANOS} after
 * it went missing: by then the receivers' jitter buffers have moved on and a keyframe is the cure.
 *
 * <p>State is bounded: at most {@link #MAX_MISSING} missing packets are tracked (the oldest is given up for a
 * newer one), a gap longer than {@link #MAX_GAP} is taken for a restart of the sender's numbering rather than
 * loss, and the last {@link #WINDOW} sequence numbers are remembered to drop duplicates. Nothing allocates after
 * construction. Owned by one thread (the media loop).
 */
public final class NackGenerator {
    /** {@link #onPacket} result: a packet never seen before, in order or after a gap. */
    public static final int NEW = 0;
    /** {@link #onPacket} result: a packet that was missing (late, or a retransmission). */
    public static final int FILLED = 1;
    /** {@link #onPacket} result: a packet already received, or too old to matter: drop it. */
    public static final int DUPLICATE = 2;

    public static final int MAX_MISSING = 256;
    public static final int MAX_GAP = 512;
    public static final int WINDOW = 1024;
    public static final int MAX_REQUESTS = 4;
    public static final long REORDER_WAIT_NANOS = 10_000_000L;
    public static final long GIVE_UP_NANOS = 1_000_000_000L;
    static final long INITIAL_RTT_NANOS = 100_000_000L;
    private static final long MIN_RETRY_NANOS = 20_000_000L;
    private static final long MAX_RETRY_NANOS = 500_000_000L;

    private final long[] receivedBits = new long[WINDOW / 64];
    private boolean started;
    private long highest;

    private final long[] missing = new long[MAX_MISSING];
    private final long[] missingSince = new long[MAX_MISSING];
    private final long[] dueAt = new long[MAX_MISSING];
    private final long[] requestedAt = new long[MAX_MISSING];
    private final int[] requests = new int[MAX_MISSING];
    private int missingCount;

    private long roundTripNanos = INITIAL_RTT_NANOS;
    private long requested;
    private long filledAfterRequest;
    private long givenUp;

    /**
     * Records an arriving packet.
     *
     * @return {@link #NEW}, {@link #FILLED} or {@link #DUPLICATE}
     */
    public int onPacket(int sequenceNumber, long now) {
        int seq = sequenceNumber & 0xFFFF;
        if (!started) {
            started = true;
            highest = seq;
            markReceived(seq);
            return NEW;
        }
        long ext = highest + (short) (seq - (int) (highest & 0xFFFF));
        if (ext > highest) {
            long gap = ext - highest - 1;
            if (gap > MAX_GAP) {
                // The sender restarted its numbering or was away long: nothing before this is worth asking for.
                missingCount = 0;
                Arrays.fill(receivedBits, 0);
            } else {
                // Only the newest numbers of a long gap can be tracked; the older ones are given up at once.
                long from = Math.max(highest + 1, ext - MAX_MISSING);
                givenUp += from - (highest + 1);
                for (long s = highest + 1; s < ext; s++) {
                    clearReceived(s);
                    if (s >= from) {
                        addMissing(s, now);
                    }
                }
            }
            highest = ext;
            markReceived(ext);
            return NEW;
        }
        if (ext <= highest - WINDOW || isReceived(ext)) {
            return DUPLICATE;
        }
        markReceived(ext);
        int i = indexOfMissing(ext);
        if (i < 0) {
            return NEW; // older than a restart: never counted missing
        }
        if (requests[i] > 0) {
            filledAfterRequest++;
            if (requests[i] == 1) {
                // Only an unambiguous sample (one request out) measures the round trip.
                long sample = now - requestedAt[i];
                if (sample > 0) {
                    roundTripNanos += (sample - roundTripNanos) / 8;
                }
            }
        }
        removeMissing(i);
        return FILLED;
    }

    /**
     * Collects the sequence numbers to ask for now into {@code out}, at most {@code out.length}; the rest wait
     * for the next call. Packets past their deadline or their last request are given up.
     *
     * @return how many were written
     */
    public int collect(long now, int[] out) {
        int n = 0;
        long retry = Math.clamp(roundTripNanos + roundTripNanos / 2, MIN_RETRY_NANOS, MAX_RETRY_NANOS);
        for (int i = 0; i < missingCount; i++) {
            boolean due = now - dueAt[i] >= 0;
            if (now - missingSince[i] >= GIVE_UP_NANOS || (due && requests[i] >= MAX_REQUESTS)) {
                givenUp++;
                removeMissing(i);
                i--;
                continue;
            }
            if (due && n < out.length) {
                out[n++] = (int) (missing[i] & 0xFFFF);
                requests[i]++;
                requestedAt[i] = now;
                dueAt[i] = now + retry;
                requested++;
            }
        }
        return n;
    }

    /**
     * Stops tracking the packets missing now, without counting them given up: they are not wanted (nobody
     * receives the stream they belong to). Later gaps are tracked again; duplicates are still recognised.
     */
    public void forgetMissing() {
        missingCount = 0;
    }

    /** Packets missing now (being asked for, or waiting to be). */
    public int missing() {
        return missingCount;
    }

    /** Sequence numbers asked for so far, counting every repeat. */
    public long requested() {
        return requested;
    }

    /** Missing packets that arrived after being asked for. */
    public long filledAfterRequest() {
        return filledAfterRequest;
    }

    /** Missing packets given up on (deadline, requests exhausted, or pushed out by newer losses). */
    public long givenUp() {
        return givenUp;
    }

    /** Smoothed time from a NACK to the retransmission it brought. */
    public long roundTripNanos() {
        return roundTripNanos;
    }

    private void addMissing(long seq, long now) {
        if (missingCount == MAX_MISSING) {
            int oldest = 0;
            for (int i = 1; i < missingCount; i++) {
                if (missing[i] < missing[oldest]) {
                    oldest = i;
                }
            }
            givenUp++;
            removeMissing(oldest);
        }
        int i = missingCount++;
        missing[i] = seq;
        missingSince[i] = now;
        dueAt[i] = now + REORDER_WAIT_NANOS;
        requestedAt[i] = 0;
        requests[i] = 0;
    }

    private int indexOfMissing(long seq) {
        for (int i = 0; i < missingCount; i++) {
            if (missing[i] == seq) {
                return i;
            }
        }
        return -1;
    }

    /** Removes entry {@code i} by moving the last one into its place. */
    private void removeMissing(int i) {
        int last = --missingCount;
        missing[i] = missing[last];
        missingSince[i] = missingSince[last];
        dueAt[i] = dueAt[last];
        requestedAt[i] = requestedAt[last];
        requests[i] = requests[last];
    }

    private boolean isReceived(long seq) {
        int bit = (int) (seq & (WINDOW - 1));
        return (receivedBits[bit >>> 6] & (1L << bit)) != 0;
    }

    private void markReceived(long seq) {
        int bit = (int) (seq & (WINDOW - 1));
        receivedBits[bit >>> 6] |= 1L << bit;
    }

    private void clearReceived(long seq) {
        int bit = (int) (seq & (WINDOW - 1));
        receivedBits[bit >>> 6] &= ~(1L << bit);
    }
}
