package dev.parley.sfu.rtp;

/**
 * Reception statistics of one incoming RTP stream, as RFC 3550 defines them for receiver reports: extended highest
 * sequence number, expected and received counts, cumulative and interval loss, interarrival jitter, and the last
 * sender report for LSR/DLSR. Owned by the stream's event loop thread; nothing allocates.
 *
 * <p>Sequence tracking follows RFC 3550 appendix A.1 with one deliberate difference: there is no probation,
 * because SRTP has already authenticated the source, so the first packet counts. A jump of
 * {@value #MAX_DROPOUT} or more ahead (or more than {@value #MAX_MISORDER} behind) is held as suspect and
 * restarts the statistics only when the next packet continues from it, as a restarted sender would.
 */
public final class ReceiveStatistics {
    /** Largest forward gap still taken as loss rather than a restart. */
    static final int MAX_DROPOUT = 3000;
    /** Largest backward step still taken as reordering rather than a restart. */
    static final int MAX_MISORDER = 100;
    private static final int NO_SEQ = -1;

    private final int ssrc;
    private final int clockRate;
    private final int maxTransitStep;

    private boolean started;
    private int maxSeq;
    private long cycles;
    private int baseSeq;
    private int badSeq = NO_SEQ;
    private long received;
    private long expectedPrior;
    private long receivedPrior;
    private int lastFractionLost;

    private long clockOriginNanos;
    private boolean hasTransit;
    private int lastTransit;
    private long jitterQ4;

    private boolean hasSenderReport;
    private int lastSenderReport;
    private long lastSenderReportArrivalNanos;

    /**
     * @param ssrc the stream's SSRC, written into report blocks
     * @param clockRate the codec's RTP clock rate in Hz (48000 for Opus, 90000 for video)
     */
    public ReceiveStatistics(int ssrc, int clockRate) {
        if (clockRate <= 0) {
            throw new IllegalArgumentException("clock rate must be positive, got " + clockRate);
        }
        this.ssrc = ssrc;
        this.clockRate = clockRate;
        // A transit step of ten seconds or more is a timestamp discontinuity, not network jitter.
        this.maxTransitStep = (int) Math.min(Integer.MAX_VALUE, 10L * clockRate);
    }

    /** SSRC of the stream these statistics describe. */
    public int ssrc() {
        return ssrc;
    }

    /** RTP clock rate in Hz, the unit of {@link #jitter()}. */
    public int clockRate() {
        return clockRate;
    }

    /**
     * Accounts for one received packet.
     *
     * @param sequenceNumber its RTP sequence number (the low 16 bits are used)
     * @param rtpTimestamp its RTP timestamp
     * @param arrivalNanos its arrival time on a monotonic clock ({@link System#nanoTime()})
     * @return false when the packet was set aside as a suspected restart of the sequence, true when it counted
     */
    public boolean onPacket(int sequenceNumber, int rtpTimestamp, long arrivalNanos) {
        int seq = sequenceNumber & 0xFFFF;
        if (!started) {
            started = true;
            clockOriginNanos = arrivalNanos;
            restart(seq);
            updateJitter(rtpTimestamp, arrivalNanos);
            received++;
            return true;
        }
        int delta = (seq - maxSeq) & 0xFFFF;
        if (delta > 0 && delta < MAX_DROPOUT) {
            if (seq < maxSeq) {
                cycles++;
            }
            maxSeq = seq;
            updateJitter(rtpTimestamp, arrivalNanos);
        } else if (delta >= MAX_DROPOUT && delta <= 0x10000 - MAX_MISORDER) {
            if (seq != badSeq) {
                badSeq = (seq + 1) & 0xFFFF;
                return false;
            }
            restart(seq);
            updateJitter(rtpTimestamp, arrivalNanos);
        }
        // Otherwise a duplicate or a reordered packet: counted, but it moves neither the sequence nor the jitter.
        received++;
        return true;
    }

    /**
     * Records a sender report from this stream's source, for the LSR and DLSR of the next report block.
     *
     * @param ntpTimestamp the SR's 64-bit NTP timestamp
     * @param arrivalNanos when the SR arrived, on the clock {@code onPacket} uses
     */
    public void onSenderReport(long ntpTimestamp, long arrivalNanos) {
        hasSenderReport = true;
        lastSenderReport = NtpTime.middle32(ntpTimestamp);
        lastSenderReportArrivalNanos = arrivalNanos;
    }

    /** Whether any packet has been counted. */
    public boolean hasReceived() {
        return started;
    }

    /** Highest sequence number received, extended with the count of wraparounds (cycles * 65536 + seq). */
    public long extendedHighestSequenceNumber() {
        return (cycles << 16) + maxSeq;
    }

    /** Packets expected since the sequence (re)started: highest minus first plus one. */
    public long expectedPackets() {
        return started ? extendedHighestSequenceNumber() - baseSeq + 1 : 0;
    }

    /** Packets counted since the sequence (re)started, duplicates included as RFC 3550 does. */
    public long receivedPackets() {
        return received;
    }

    /** Expected minus received: negative when duplicates outnumber losses. */
    public long cumulativeLost() {
        return expectedPackets() - received;
    }

    /** Fraction lost (in 1/256) computed by the last {@link #fillReportBlock}. */
    public int lastFractionLost() {
        return lastFractionLost;
    }

    /** Interarrival jitter in RTP timestamp units (RFC 3550 A.8). */
    public long jitter() {
        return jitterQ4 >> 4;
    }

    /** Interarrival jitter in seconds. */
    public double jitterSeconds() {
        return (double) jitterQ4 / 16 / clockRate;
    }

    /**
     * Writes this stream's report block at {@code off} and starts a new loss interval: fraction lost covers the
     * packets since the previous call.
     *
     * @param nowNanos the current time on the clock {@code onPacket} uses, for DLSR
     * @return {@link ReportBlock#LENGTH}
     */
    public int fillReportBlock(byte[] dst, int off, long nowNanos) {
        long expected = expectedPackets();
        long expectedInterval = expected - expectedPrior;
        long lostInterval = expectedInterval - (received - receivedPrior);
        int fraction = expectedInterval <= 0 || lostInterval <= 0
                ? 0 : (int) Math.min(255, (lostInterval << 8) / expectedInterval);
        long dlsr = hasSenderReport ? delaySinceLastSenderReport(nowNanos) : 0;
        int written = ReportBlock.write(dst, off, ssrc, fraction, expected - received,
                (int) extendedHighestSequenceNumber(), jitter(),
                hasSenderReport ? lastSenderReport : 0, dlsr);
        expectedPrior = expected;
        receivedPrior = received;
        lastFractionLost = fraction;
        return written;
    }

    private long delaySinceLastSenderReport(long nowNanos) {
        long elapsed = Math.max(0, nowNanos - lastSenderReportArrivalNanos);
        long seconds = Math.min(elapsed / 1_000_000_000L, 0xFFFFL);
        return seconds * 65536 + (elapsed % 1_000_000_000L) * 65536 / 1_000_000_000L;
    }

    private void restart(int seq) {
        baseSeq = seq;
        maxSeq = seq;
        badSeq = NO_SEQ;
        cycles = 0;
        received = 0;
        expectedPrior = 0;
        receivedPrior = 0;
        hasTransit = false;
        jitterQ4 = 0;
    }

    private void updateJitter(int rtpTimestamp, long arrivalNanos) {
        int transit = arrivalInClockUnits(arrivalNanos) - rtpTimestamp;
        if (hasTransit) {
            long step = Math.abs((long) (transit - lastTransit));
            if (step < maxTransitStep) {
                jitterQ4 += step - ((jitterQ4 + 8) >> 4);
            }
        }
        hasTransit = true;
        lastTransit = transit;
    }

    /** Arrival time in RTP clock units since the first packet, wrapping like RTP timestamps do. */
    private int arrivalInClockUnits(long arrivalNanos) {
        long elapsed = arrivalNanos - clockOriginNanos;
        return (int) ((elapsed / 1_000_000_000L) * clockRate + (elapsed % 1_000_000_000L) * clockRate / 1_000_000_000L);
    }
}
