package dev.parley.sfu.bwe;

/**
 * Turns packet groups into a delay trend: groups are packets sent within {@link #BURST_NANOS} of each other; for
 * each pair of consecutive groups the delay variation is (arrival gap − send gap). Their running sum, smoothed,
 * is the queueing delay seen so far; the slope of its linear regression over the last {@link #WINDOW} groups,
 * against arrival time, is the trend: positive while a queue builds.
 */
final class TrendlineFilter {
    /** Packets sent this close together leave as one burst: one group (GCC's 5 ms). */
    static final long BURST_NANOS = 5_000_000;
    static final int WINDOW = 20;
    static final double SMOOTHING = 0.9;
    /** Scales the slope (ms per ms) so the detector's threshold (in ms) applies; as in GCC's trendline estimator. */
    static final double GAIN = 4;
    /** The trend is multiplied by the number of deltas seen, up to this many: early, noisy slopes count less. */
    static final int MAX_DELTAS = 60;

    private final double[] x = new double[WINDOW];
    private final double[] y = new double[WINDOW];
    private int points;
    private int next;
    // Group being filled.
    private boolean inGroup;
    private long groupFirstSend;
    private long groupLastSend;
    private long groupArrival;
    // Previous complete group.
    private boolean havePrevious;
    private long previousSend;
    private long previousArrival;
    private long firstArrival = Long.MIN_VALUE;
    private double accumulated;
    private double smoothed;
    private int deltas;
    private double trend;
    private long lastSendDelta;
    private boolean updated;

    /**
     * Adds one received packet, in send order.
     *
     * @return whether a group completed and the trend was updated (read it with {@link #trend()})
     */
    boolean onPacket(long sendNanos, long arrivalNanos) {
        updated = false;
        if (!inGroup) {
            startGroup(sendNanos, arrivalNanos);
            return false;
        }
        if (sendNanos - groupFirstSend <= BURST_NANOS && sendNanos >= groupFirstSend) {
            groupLastSend = Math.max(groupLastSend, sendNanos);
            groupArrival = Math.max(groupArrival, arrivalNanos);
            return false;
        }
        if (sendNanos < groupLastSend) {
            return false; // reordered behind the group: ignore, as its send gap would be negative
        }
        completeGroup();
        startGroup(sendNanos, arrivalNanos);
        return updated;
    }

    private void startGroup(long sendNanos, long arrivalNanos) {
        inGroup = true;
        groupFirstSend = sendNanos;
        groupLastSend = sendNanos;
        groupArrival = arrivalNanos;
    }

    private void completeGroup() {
        if (havePrevious) {
            long sendDelta = groupLastSend - previousSend;
            long arrivalDelta = groupArrival - previousArrival;
            lastSendDelta = sendDelta;
            if (firstArrival == Long.MIN_VALUE) {
                firstArrival = groupArrival;
            }
            double variationMs = (arrivalDelta - sendDelta) / 1e6;
            accumulated += variationMs;
            smoothed = SMOOTHING * smoothed + (1 - SMOOTHING) * accumulated;
            x[next] = (groupArrival - firstArrival) / 1e6;
            y[next] = smoothed;
            next = (next + 1) % WINDOW;
            points = Math.min(points + 1, WINDOW);
            deltas = Math.min(deltas + 1, MAX_DELTAS);
            if (points == WINDOW) {
                trend = slope() * deltas * GAIN;
            }
            updated = true;
        }
        havePrevious = true;
        previousSend = groupLastSend;
        previousArrival = groupArrival;
    }

    private double slope() {
        double mx = 0;
        double my = 0;
        for (int i = 0; i < points; i++) {
            mx += x[i];
            my += y[i];
        }
        mx /= points;
        my /= points;
        double num = 0;
        double den = 0;
        for (int i = 0; i < points; i++) {
            num += (x[i] - mx) * (y[i] - my);
            den += (x[i] - mx) * (x[i] - mx);
        }
        return den == 0 ? 0 : num / den;
    }

    /** The latest modified trend (ms, comparable to the detector's threshold); 0 until the window filled. */
    double trend() {
        return trend;
    }

    /** Deltas seen (capped at {@link #MAX_DELTAS}). */
    int deltas() {
        return deltas;
    }

    /** Send gap of the latest pair of groups, for how long overuse lasted. */
    long lastSendDeltaNanos() {
        return lastSendDelta;
    }
}
